// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * First-boot labelling: the EVM HMACs of the mutable files, written into the
 * unmounted filesystem with the same libext2fs layer as sign-image.  A kernel
 * with an EVM HMAC key refuses an HMAC set through a mounted filesystem
 * (evm_inode_setxattr() in evm_main.c takes only signature types from
 * userspace, and evm_protect_xattr() refuses changes to protected xattrs of
 * a file whose EVM status is NOLABEL or NOXATTRS); the image is not bound by
 * those hooks, and every input of the HMAC is in the inode and superblock.
 */
#include "lib_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct label {
	uint32_t ino;
	uint8_t value[1 + IMACTL_EVM_HMAC_LEN];
};

static int xs_get_xattr(void *data, const char *name, uint8_t **buf_ret, size_t *len_ret)
{
	return ext4_xattrs_get(data, name, buf_ret, len_ret);
}

/* The security.evm value of @path, or -errno (logged). */
static int label_one(struct imactl_ctx *ctx, struct ext4_image *img, const char *image,
		     const char *path, const struct imactl_evm_hmac_params *p, struct label *l)
{
	struct ext4_xattrs *xs = NULL;
	struct file_source src;
	struct ext4_stat st;
	uint8_t *ima = NULL;
	size_t ima_len;
	int ret;

	ret = ext4_lookup(img, path, &l->ino);
	if (ret == 0)
		ret = ext4_stat(img, l->ino, &st);
	if (ret < 0) {
		log_err(ctx, "%s: %s: not in the image", image, path);
		return ret;
	}
	if (!S_ISREG(st.mode)) {
		log_err(ctx, "%s: %s: not a regular file", image, path);
		return -EINVAL;
	}
	ret = ext4_xattrs_read(img, l->ino, &xs);
	if (ret == 0) {
		ret = ext4_xattrs_get(xs, "security.ima", &ima, &ima_len);
		free(ima);
		if (ret == -ENODATA)
			log_err(ctx, "%s: %s: no security.ima (sign-tree --mutable gives one)",
				image, path);
	}
	if (ret == 0) {
		src = (struct file_source){
			.get_xattr = xs_get_xattr,
			.data = xs,
			.uid = st.uid,
			.gid = st.gid,
			.mode = st.mode,
			.ino = l->ino,
			.generation = st.generation,
		};
		l->value[0] = IMACTL_XATTR_EVM_HMAC;
		ret = evm_hmac_source(ctx, &src, p, NULL, 0, l->value + 1);
		if (ret < 0 && ret != -ENODATA)
			log_err(ctx, "%s: %s: cannot compute its HMAC", image, path);
	}
	ext4_xattrs_free(xs);
	return ret;
}

IMACTL_EXPORT int imactl_image_hmac(struct imactl_ctx *ctx, const char *image,
				    const char *const *paths, size_t n_paths,
				    const struct imactl_evm_hmac_params *params,
				    uint64_t *labelled_ret)
{
	struct imactl_evm_hmac_params p;
	struct ext4_image *img = NULL;
	struct label *labels = NULL;
	int ret, first_err = 0;

	if (labelled_ret)
		*labelled_ret = 0;
	if (!ctx || !image || (!paths && n_paths) || !params)
		return -EINVAL;
	p = *params;
	labels = calloc(n_paths ? n_paths : 1, sizeof(*labels));
	if (!labels)
		return -ENOMEM;
	ret = ext4_open(ctx, image, EXT4_WRITE, &img);
	if (ret < 0)
		goto out;
	if (p.flags & IMACTL_EVM_HMAC_FSUUID)
		ext4_uuid(img, p.fs_uuid);
	/* every value first: a block device is written only when all could be made */
	for (size_t i = 0; i < n_paths; i++) {
		ret = label_one(ctx, img, image, paths[i], &p, &labels[i]);
		if (ret == -EINVAL && (!p.key || !p.key_len || p.key_len > IMACTL_EVM_KEY_MAX))
			goto out; /* bad parameters: the same for every file */
		if (ret < 0 && !first_err)
			first_err = ret;
	}
	ret = first_err;
	for (size_t i = 0; ret == 0 && i < n_paths; i++) {
		struct ext4_xattr_op op = { "security.evm", labels[i].value,
					    sizeof(labels[i].value) };

		ret = ext4_xattrs_set(img, labels[i].ino, &op, 1);
		if (ret < 0)
			log_err(ctx, "%s: %s: cannot write security.evm%s", image, paths[i],
				ret == -ENOSPC ? ": the image is full" : "");
	}
	if (ret == 0)
		ret = ext4_commit(img);
	if (ret == 0 && labelled_ret)
		*labelled_ret = n_paths;
out:
	ext4_close(img);
	explicit_bzero(&p, sizeof(p));
	free(labels);
	return ret;
}
