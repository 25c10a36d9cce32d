/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mkvolume: NTFS volume fixtures in a file (see hives/README.md).
 *
 *   mkvolume [--size MIB] [--tree DIR] [KIND] OUTPUT
 *
 * Formats a sparse file with mkntfs -F (Debian's ntfs-3g), then fills it
 * through libntfs-3g: a Windows tree whose hives hives/mkhive builds (or
 * the tree DIR, copied in), each file with the security descriptor of a
 * real config file and the ARCHIVE attribute; then what KIND adds. */
#include "config.h"

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/security.h>
#include <ntfs-3g/unistr.h>
#include <ntfs-3g/volume.h>

/* O:SYG:SYD:P(A;;FA;;;SY)(A;;FA;;;BA), self-relative: what
 * Windows/System32/config's hives carry. */
static const unsigned char config_sd[] = {
	0x01, 0x00, 0x04, 0x90,		/* revision; control: self-relative,
					 * DACL present and protected */
	0x14, 0x00, 0x00, 0x00,		/* owner at 20 */
	0x20, 0x00, 0x00, 0x00,		/* group at 32 */
	0x00, 0x00, 0x00, 0x00,		/* no SACL */
	0x2c, 0x00, 0x00, 0x00,		/* DACL at 44 */
	/* S-1-5-18 (SYSTEM), twice */
	0x01, 0x01, 0, 0, 0, 0, 0, 5, 0x12, 0, 0, 0,
	0x01, 0x01, 0, 0, 0, 0, 0, 5, 0x12, 0, 0, 0,
	/* ACL: revision 2, 52 bytes, 2 ACEs */
	0x02, 0x00, 0x34, 0x00, 0x02, 0x00, 0x00, 0x00,
	/* allow FILE_ALL_ACCESS to SYSTEM */
	0x00, 0x00, 0x14, 0x00, 0xff, 0x01, 0x1f, 0x00,
	0x01, 0x01, 0, 0, 0, 0, 0, 5, 0x12, 0, 0, 0,
	/* allow FILE_ALL_ACCESS to BUILTIN\Administrators (S-1-5-32-544) */
	0x00, 0x00, 0x18, 0x00, 0xff, 0x01, 0x1f, 0x00,
	0x01, 0x02, 0, 0, 0, 0, 0, 5, 0x20, 0, 0, 0, 0x20, 0x02, 0, 0,
};

/* Removed when mkvolume fails: no half-made fixture is left. */
static const char *output;
static char tree_tmp[] = "/tmp/mkvolume-tree-XXXXXX";
static int tree_made, done;

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
cleanup(void)
{
	if (tree_made)
		nftw(tree_tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (!done && output != NULL)
		unlink(output);
}

static const char *const kinds[] = {
	"win", "compliant", "nologs", "hiberfil", "faststartup", "dirty",
	"bitlocker", "data",
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: mkvolume [--size MIB] [--tree DIR] [KIND] OUTPUT\n"
	    "KIND: win (default), compliant, nologs, hiberfil, faststartup,\n"
	    "      dirty, bitlocker, data\n");
	exit(fp == stdout ? 0 : 2);
}

/* Runs argv (searched in PATH, then in the sbin directories mkntfs
 * lives in); its output is shown only when it fails. */
static void
run(char *const argv[])
{
	static const char *const dirs[] = { "/usr/sbin/", "/sbin/" };
	char path[PATH_MAX], log[] = "/tmp/mkvolume-XXXXXX";
	int status, fd = mkstemp(log);
	pid_t pid;
	size_t i;

	if (fd == -1)
		err(1, "mkstemp");
	unlink(log);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		for (i = 0; i < 2; i++) {
			snprintf(path, sizeof(path), "%s%s", dirs[i], argv[0]);
			execv(path, argv);
		}
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1)
		err(1, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char buf[4096];
		ssize_t n;

		lseek(fd, 0, SEEK_SET);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, stderr);
		errx(1, "%s failed (status %d)", argv[0], status);
	}
	close(fd);
}

/* mkhive, beside this program. */
static void
mkhive(const char *self, const char *kind, const char *out)
{
	char path[PATH_MAX];
	const char *slash = strrchr(self, '/');
	char *argv[4];

	snprintf(path, sizeof(path), "%.*smkhive", slash ? (int)(slash - self +
	    1) : 0, self);
	argv[0] = path;
	argv[1] = (char *)kind;
	argv[2] = (char *)out;
	argv[3] = NULL;
	run(argv);
}

static void
mkdirs(const char *root, const char *rel)
{
	char path[PATH_MAX], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			err(1, "%s", path);
		*p = '/';
	}
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		err(1, "%s", path);
}

/* Empty HIVE.LOG1 and HIVE.LOG2 beside the hive, as Windows keeps them. */
static void
logs_of(const char *hive)
{
	char path[PATH_MAX];
	int i, fd;

	for (i = 1; i <= 2; i++) {
		snprintf(path, sizeof(path), "%s.LOG%d", hive, i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd == -1 || close(fd) != 0)
			err(1, "%s", path);
	}
}

/* The tree a Windows kind holds, built in dir. */
static void
build_tree(const char *self, const char *kind, const char *dir)
{
	char path[PATH_MAX];
	FILE *fp;

	if (strcmp(kind, "data") == 0) {
		mkdirs(dir, "Data");
		snprintf(path, sizeof(path), "%s/Data/readme.txt", dir);
		if ((fp = fopen(path, "w")) == NULL)
			err(1, "%s", path);
		fputs("A volume with no Windows on it.\r\n", fp);
		if (fclose(fp) != 0)
			err(1, "%s", path);
		return;
	}
	mkhive(self, "tree", dir);
	snprintf(path, sizeof(path), "%s/Windows/System32/config/SOFTWARE", dir);
	if (strcmp(kind, "compliant") == 0)
		mkhive(self, "software64-compliant", path);
	mkdirs(dir, "Users/Default");
	snprintf(path, sizeof(path), "%s/Users/Default/NTUSER.DAT", dir);
	mkhive(self, "ntuser", path);
	if (strcmp(kind, "nologs") == 0)
		return;
	logs_of(path);
	snprintf(path, sizeof(path), "%s/Windows/System32/config/SOFTWARE", dir);
	logs_of(path);
	snprintf(path, sizeof(path), "%s/Windows/System32/config/SYSTEM", dir);
	logs_of(path);
}

static ntfs_inode *
create(ntfs_inode *dir, const char *name, mode_t type)
{
	ntfschar *u = NULL;
	int len = ntfs_mbstoucs(name, &u);
	ntfs_inode *ni;

	if (len < 0)
		err(1, "%s: not a name", name);
	if ((ni = ntfs_create(dir, 0, u, (u8)len, type)) == NULL)
		err(1, "%s: ntfs_create", name);
	free(u);
	return ni;
}

static void
write_data(ntfs_inode *ni, const char *name, const void *buf, size_t len)
{
	ntfs_attr *na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0);

	if (na == NULL)
		err(1, "%s: ntfs_attr_open", name);
	if (len > 0 && ntfs_attr_pwrite(na, 0, (s64)len, buf) != (s64)len)
		err(1, "%s: ntfs_attr_pwrite", name);
	ntfs_attr_close(na);
}

/* The descriptor and attributes of a real hive; a log (NAME.LOG1) is
 * hidden and a system file too. */
static void
dress(ntfs_volume *vol, ntfs_inode *ni, const char *name)
{
	struct SECURITY_CONTEXT scx;
	le32 attrib = FILE_ATTR_ARCHIVE;

	if (strstr(name, ".LOG") != NULL)
		attrib |= FILE_ATTR_HIDDEN | FILE_ATTR_SYSTEM;

	memset(&scx, 0, sizeof(scx));
	scx.vol = vol;
	if (ntfs_set_ntfs_acl(&scx, ni, (const char *)config_sd,
	    sizeof(config_sd), 0) == -1)
		err(1, "%s: ntfs_set_ntfs_acl", name);
	if (ntfs_set_ntfs_attrib(ni, (const char *)&attrib, sizeof(attrib),
	    0) == -1)
		err(1, "%s: ntfs_set_ntfs_attrib", name);
}

static void
copy_file(ntfs_volume *vol, ntfs_inode *dir, const char *from,
	  const char *name)
{
	int fd = open(from, O_RDONLY | O_CLOEXEC);
	unsigned char *buf;
	struct stat st;
	ntfs_inode *ni;

	if (fd == -1 || fstat(fd, &st) == -1)
		err(1, "%s", from);
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		err(1, "malloc");
	if (read(fd, buf, (size_t)st.st_size) != st.st_size)
		err(1, "%s: short read", from);
	close(fd);
	ni = create(dir, name, S_IFREG);
	write_data(ni, from, buf, (size_t)st.st_size);
	dress(vol, ni, from);
	if (ntfs_inode_close_in_dir(ni, dir) == -1)
		err(1, "%s: ntfs_inode_close", from);
	free(buf);
}

/* Copies the host directory `from` into the volume's directory dir
 * (its files closed with it open: ntfs_inode_close_in_dir). */
static void
copy_dir(ntfs_volume *vol, ntfs_inode *dir, const char *from)
{
	struct dirent **ents;
	char path[PATH_MAX];
	struct stat st;
	int i, n = scandir(from, &ents, NULL, alphasort);

	if (n == -1)
		err(1, "%s", from);
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			free(ents[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", from, name);
		if (lstat(path, &st) == -1)
			err(1, "%s", path);
		if (S_ISDIR(st.st_mode)) {
			ntfs_inode *sub = create(dir, name, S_IFDIR);

			copy_dir(vol, sub, path);
			if (ntfs_inode_close_in_dir(sub, dir) == -1)
				err(1, "%s: ntfs_inode_close", path);
		} else if (S_ISREG(st.st_mode))
			copy_file(vol, dir, path, name);
		else
			errx(1, "%s: neither a file nor a directory", path);
		free(ents[i]);
	}
	free(ents);
}

/* hiberfil.sys in the root, 64 KiB starting with sig. */
static void
hiberfil(ntfs_inode *root, const char *sig)
{
	static unsigned char buf[64 * 1024];
	ntfs_inode *ni = create(root, "hiberfil.sys", S_IFREG);

	memset(buf, 0, sizeof(buf));
	memcpy(buf, sig, 4);
	write_data(ni, "hiberfil.sys", buf, sizeof(buf));
	if (ntfs_inode_close_in_dir(ni, root) == -1)
		err(1, "hiberfil.sys: ntfs_inode_close");
}

static void
fill(const char *out, const char *kind, const char *tree)
{
	ntfs_volume *vol = ntfs_mount(out, NTFS_MNT_NONE);
	ntfs_inode *root;

	if (vol == NULL)
		err(1, "%s: ntfs_mount", out);
	if ((root = ntfs_inode_open(vol, FILE_root)) == NULL)
		err(1, "%s: the root directory", out);
	copy_dir(vol, root, tree);
	if (strcmp(kind, "hiberfil") == 0)
		hiberfil(root, "HIBR");
	else if (strcmp(kind, "faststartup") == 0)
		hiberfil(root, "wake");
	if (ntfs_inode_close(root) == -1)
		err(1, "%s: ntfs_inode_close", out);
	if (strcmp(kind, "dirty") == 0 &&
	    ntfs_volume_write_flags(vol, vol->flags | VOLUME_IS_DIRTY) == -1)
		err(1, "%s: ntfs_volume_write_flags", out);
	if (ntfs_umount(vol, FALSE) == -1)
		err(1, "%s: ntfs_umount", out);
}

/* A sparse file of mib MiB, formatted. */
static void
format(const char *out, long mib, const char *label)
{
	char *argv[] = { "mkntfs", "-F", "-Q", "-q", "-T", "-s", "512", "-p",
	    "0", "-H", "255", "-S", "63", "-L", (char *)label, (char *)out,
	    NULL };
	struct stat st;
	int fd;

	if (lstat(out, &st) == 0 && !S_ISREG(st.st_mode))
		errx(1, "%s: exists and is not a regular file", out);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd == -1 || ftruncate(fd, (off_t)mib << 20) == -1 || close(fd) != 0)
		err(1, "%s", out);
	run(argv);
}

/* BitLocker's signature where NTFS has its OEM id. */
static void
bitlocker(const char *out)
{
	int fd = open(out, O_WRONLY | O_CLOEXEC);

	if (fd == -1 || pwrite(fd, "-FVE-FS-", 8, 3) != 8 || close(fd) != 0)
		err(1, "%s", out);
}

int
main(int argc, char *argv[])
{
	const char *kind = "win", *out, *tree = NULL;
	long mib = 64;
	int i = 1;
	size_t k;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		char *end;

		if (strcmp(argv[i], "--help") == 0)
			usage(stdout);
		else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
			mib = strtol(argv[++i], &end, 10);
			if (*end != '\0' || mib < 8 || mib > 65536)
				usage(stderr);
		} else if (strcmp(argv[i], "--tree") == 0 && i + 1 < argc)
			tree = argv[++i];
		else
			usage(stderr);
	}
	if (argc - i == 2)
		kind = argv[i++];
	if (argc - i != 1)
		usage(stderr);
	out = argv[i];
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (strcmp(kind, kinds[k]) == 0)
			break;
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		usage(stderr);
	atexit(cleanup);
	format(out, mib, strcmp(kind, "data") == 0 ? "Data" : "Windows");
	output = out;
	if (tree == NULL) {
		if (mkdtemp(tree_tmp) == NULL)
			err(1, "mkdtemp");
		tree_made = 1;
		build_tree(argv[0], kind, tree_tmp);
	}
	fill(out, kind, tree ? tree : tree_tmp);
	if (strcmp(kind, "bitlocker") == 0)
		bitlocker(out);
	done = 1;
	return 0;
}
