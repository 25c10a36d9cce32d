/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mkhive: write Windows registry hive fixtures for the hivepatch tests.
 *
 * hivex cannot create a hive from nothing, so we first write a minimal
 * regf file ourselves (base block, one hive bin holding the root key, its
 * security cell and a free cell), then open it with hivex and add the
 * keys and values for the requested KIND.
 *
 * Layouts follow "Windows registry file format specification" by Maxim
 * Suhanov (github.com/msuhanov/regf).  All multi-byte fields are written
 * little-endian byte by byte, never through structs.
 *
 * Every timestamp we write is FIXED_FILETIME, and hivex copies the
 * parent's timestamp into new keys, so the same command always writes
 * the same bytes.
 */

#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hivex.h>

#include "mkhive_hostile.h"
#include "regf.h"

/* Self-relative security descriptor pieces. */
#define SD_MAX			256
#define SD_HEADER_SIZE		20
#define SE_DACL_PRESENT		0x0004
#define SE_SELF_RELATIVE	0x8000
#define ACL_REVISION		2
#define ACL_HEADER_SIZE		8
#define ACCESS_ALLOWED_ACE	0
#define CONTAINER_INHERIT_ACE	0x02
#define ACE_HEADER_SIZE		8
#define KEY_ALL_ACCESS		0x000f003fU
#define KEY_READ		0x00020019U


/* 2023-01-01 00:00:00 UTC as a FILETIME (100 ns ticks since 1601). */
#define FIXED_FILETIME		UINT64_C(133170048000000000)

/* Padding for the "big" kind. */
#define PAD_PARENT		"Classes\\MkhivePadding"
#define PAD_ITEMS_PER_GROUP	64
#define PAD_BLOBS		6
#define PAD_BLOB_SIZE		384
#define PAD_TEXT_SIZE		256
#define BIG_MAX_MIB		1024

#define NELEM(a)		(sizeof(a) / sizeof((a)[0]))

/* What the base block and the root key say about a hive. */
struct hive_identity {
	const char	*file_name;	/* path Windows loaded it from */
	const char	*root_name;	/* name of the root key */
};

/* Root key name in Windows 8 and later hives of every type. */
#define CSITOOL_ROOT \
	"CsiTool-CreateHive-{00000000-0000-0000-0000-000000000000}"

static const struct hive_identity software_win10 = {
	"\\SystemRoot\\System32\\Config\\SOFTWARE", CSITOOL_ROOT
};
/*
 * Windows 7 root key names, as seen in real hives.  They differ by hive
 * and by bitness.
 */
static const struct hive_identity software_win7 = {	/* x64 */
	"\\SystemRoot\\System32\\Config\\SOFTWARE",
	"CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}"
};
static const struct hive_identity software_win7_x86 = {
	"\\SystemRoot\\System32\\Config\\SOFTWARE",
	"CMI-CreateHive{3D971F19-49AB-4000-8D39-A6D9C673D809}"
};
static const struct hive_identity system_win7 = {	/* x64 */
	"\\SystemRoot\\System32\\Config\\SYSTEM",
	"CMI-CreateHive{2A7FB991-7BBE-4F9D-B91E-7CB51D4737F5}"
};
static const struct hive_identity system_win10 = {
	"\\SystemRoot\\System32\\Config\\SYSTEM", CSITOOL_ROOT
};
static const struct hive_identity ntuser_win10 = {
	"\\??\\C:\\Users\\user\\ntuser.dat", CSITOOL_ROOT
};
/* A user's classes: the root is named after the user's SID. */
static const struct hive_identity usrclass_win10 = {
	"\\??\\C:\\Users\\user\\AppData\\Local\\Microsoft\\Windows\\"
	"UsrClass.dat", "S-1-5-21-1000000000-2000000000-3000000000-1001_Classes"
};
/* hostile-unknown: a file name that tries to clear the screen and forge
 * a line of the report. */
static const struct hive_identity hostile_unknown = {
	"x\x1b[2J\r\nresult:   compliant", CSITOOL_ROOT
};

enum value_kind {
	VAL_SZ,
	VAL_EXPAND_SZ,
	VAL_DWORD,
	VAL_BINARY
};

struct value_def {
	const char		*name;	/* "" is the key's default value */
	enum value_kind		 kind;
	const char		*text;	/* VAL_SZ, VAL_EXPAND_SZ */
	uint32_t		 number;	/* VAL_DWORD */
	const unsigned char	*bytes;	/* VAL_BINARY */
	size_t			 nbytes;
};

#define SZ(n, s)	{ (n), VAL_SZ, (s), 0, NULL, 0 }
#define EXPAND_SZ(n, s)	{ (n), VAL_EXPAND_SZ, (s), 0, NULL, 0 }
#define DWORD(n, v)	{ (n), VAL_DWORD, NULL, (v), NULL, 0 }
#define BINARY(n, b)	{ (n), VAL_BINARY, NULL, 0, (b), sizeof(b) }

enum dotnet {
	DOTNET_NONE,
	DOTNET_40,	/* v4\Full without Release */
	DOTNET_48	/* Release 528040 */
};

struct software_options {
	const char	*product_name;
	const char	*current_build;
	const char	*current_version;	/* "6.3" on 10, "6.1" on 7 */
	const char	*display_version;	/* NULL before Windows 10 */
	const char	*csd_version;		/* service pack, or NULL */
	int		 wow64;		/* 64-bit: has Wow6432Node */
	enum dotnet	 dotnet;
	int		 netfx_keys;	/* Microsoft\.NETFramework exists */
	int		 strong_crypto_64;	/* SchUseStrongCrypto=1 set */
	int		 strong_crypto_32;	/* ... in Wow6432Node */
	/* .NET 3.5: NDP\v3.5 Version, NULL when not installed. */
	const char	*net35_version;
	const char	*net20_version;		/* NDP\v2.0.50727 Version */
	/* WinHttp DefaultSecureProtocols, 0 when not set. */
	uint32_t	 winhttp_64;
	uint32_t	 winhttp_32;		/* ... in Wow6432Node */
	/* Component Based Servicing packages, NULL-ended (NULL: none),
	 * each with its CurrentState. */
	const struct package	*packages;
};

/* A servicing package: Windows 7's updates for TLS 1.2 in WinHTTP and
 * in .NET 3.5.1, installed (0x70) or only staged (0x40). */
struct package {
	const char	*name;
	uint32_t	 state;
};
#define CBS_INSTALLED	0x70
#define CBS_STAGED	0x40
#define PKG_KB3140245 "Package_for_KB3140245~31bf3856ad364e35~amd64~~6.1.1.1"
#define PKG_KB3154518 "Package_for_KB3154518~31bf3856ad364e35~amd64~~6.1.1.0"
static const struct package win7_updates[] = {
	{ "Package_for_KB976902~31bf3856ad364e35~amd64~~6.1.1.17",
	    CBS_INSTALLED },
	{ PKG_KB3140245, CBS_INSTALLED },
	{ PKG_KB3154518, CBS_INSTALLED },
	{ NULL, 0 },
};
static const struct package win7_staged[] = {
	{ PKG_KB3140245, CBS_STAGED },
	{ NULL, 0 },
};

/* The .NET 3.5 (2.0 SP2 + 3.5 SP1) builds each Windows ships. */
#define NET35_WIN7 \
	.net35_version = "3.5.30729.5420", .net20_version = "2.0.50727.5420"
#define NET35_WIN10 \
	.net35_version = "3.5.30729.4926", .net20_version = "2.0.50727.4927"

/* WinHttp DefaultSecureProtocols bits. */
#define WINHTTP_TLS1_2		0x00000800U
#define WINHTTP_TLS1_3		0x00002000U

/* What a SYSTEM kind holds. */
struct system_options {
	int		 select;	/* the Select key exists */
	uint32_t	 current;	/* Select values */
	uint32_t	 default_set;
	uint32_t	 failed;
	uint32_t	 last_known_good;
	unsigned	 control_sets;	/* ControlSet001 .. ControlSet00N */
	const char	*processor_architecture;
	int		 ssl2_client;	/* Protocols\SSL 2.0\Client disabled */
	int		 tls12;		/* Protocols\TLS 1.2 enabled */
};

#define MAX_CONTROL_SETS	999

#define FRAMEWORK32	"C:\\Windows\\Microsoft.NET\\Framework\\"
#define FRAMEWORK64	"C:\\Windows\\Microsoft.NET\\Framework64\\"

/* One registry view: the native one, or the 32-bit one on 64-bit. */
struct view {
	const char	*prefix;	/* "" or "Wow6432Node\\" */
	const char	*framework_root;
	const char	*framework_v4;
	int		 strong_crypto;
};

typedef int (*build_fn)(hive_h *, const void *);

struct kind {
	const char			*name;
	const struct hive_identity	*identity;
	build_fn			 build;
	const void			*options;
};

struct padding {
	unsigned long	next_item;
	hive_node_h	group;		/* 0: look it up again */
};

static int	build_software(hive_h *, const void *);
static int	build_system(hive_h *, const void *);
static int	build_ntuser(hive_h *, const void *);
static int	build_usrclass(hive_h *, const void *);
static int	build_big(hive_h *, const void *);
static int	build_software_hostile(hive_h *, const void *);

/* Windows 10 22H2; the kinds differ in bitness and .NET state. */
#define WIN10_PRO \
	.product_name = "Windows 10 Pro", .current_build = "19045", \
	.current_version = "6.3", .display_version = "22H2"

static const struct software_options sw_net48 = {
	WIN10_PRO, .wow64 = 1, .dotnet = DOTNET_48, .netfx_keys = 1
};
static const struct software_options sw_net40 = {
	WIN10_PRO, .wow64 = 1, .dotnet = DOTNET_40, .netfx_keys = 1
};
static const struct software_options sw_nonet = {
	WIN10_PRO, .wow64 = 1, .dotnet = DOTNET_NONE, .netfx_keys = 1
};
static const struct software_options sw32_net48 = {
	WIN10_PRO, .wow64 = 0, .dotnet = DOTNET_48, .netfx_keys = 1
};
static const struct software_options sw_compliant = {
	WIN10_PRO, .wow64 = 1, .dotnet = DOTNET_48, .netfx_keys = 1,
	.strong_crypto_64 = 1, .strong_crypto_32 = 1
};
static const struct software_options sw_half = {
	WIN10_PRO, .wow64 = 1, .dotnet = DOTNET_48, .netfx_keys = 1,
	.strong_crypto_64 = 1, .strong_crypto_32 = 0
};
static const struct software_options sw_noparents = {
	WIN10_PRO, .wow64 = 1, .dotnet = DOTNET_48, .netfx_keys = 0
};
static const struct software_options sw_net35 = {
	WIN10_PRO, .wow64 = 1, .dotnet = DOTNET_48, .netfx_keys = 1,
	NET35_WIN10
};
static const struct software_options sw_winhttp13 = {
	WIN10_PRO, .wow64 = 1, .dotnet = DOTNET_48, .netfx_keys = 1,
	.winhttp_64 = WINHTTP_TLS1_3,
	.winhttp_32 = WINHTTP_TLS1_3 | WINHTTP_TLS1_2
};

#define WIN7_PRO_SP1 \
	.product_name = "Windows 7 Professional", .current_build = "7601", \
	.current_version = "6.1", .csd_version = "Service Pack 1"

static const struct software_options sw7_64 = {
	WIN7_PRO_SP1, .wow64 = 1, .dotnet = DOTNET_48, .netfx_keys = 1,
	.packages = win7_updates
};
static const struct software_options sw7_64_net35 = {
	WIN7_PRO_SP1, .wow64 = 1, .dotnet = DOTNET_48, .netfx_keys = 1,
	NET35_WIN7, .packages = win7_updates
};
static const struct software_options sw7_32 = {
	WIN7_PRO_SP1, .wow64 = 0, .dotnet = DOTNET_48, .netfx_keys = 1,
	NET35_WIN7, .packages = win7_updates
};
/* Without the TLS updates: KB3140245 staged only, KB3154518 absent. */
static const struct software_options sw7_64_noupdates = {
	WIN7_PRO_SP1, .wow64 = 1, .dotnet = DOTNET_48, .netfx_keys = 1,
	NET35_WIN7, .packages = win7_staged
};

/* Windows 10: one control set; SSL 2.0\Client has DisabledByDefault=1. */
static const struct system_options sys_win10 = {
	.select = 1, .current = 1, .default_set = 1, .failed = 0,
	.last_known_good = 1, .control_sets = 1,
	.processor_architecture = "AMD64", .ssl2_client = 1
};
static const struct system_options sys_win10_x86 = {
	.select = 1, .current = 1, .default_set = 1, .failed = 0,
	.last_known_good = 1, .control_sets = 1,
	.processor_architecture = "x86", .ssl2_client = 1
};
static const struct system_options sys_tls12 = {
	.select = 1, .current = 1, .default_set = 1, .failed = 0,
	.last_known_good = 1, .control_sets = 1,
	.processor_architecture = "AMD64", .ssl2_client = 1, .tls12 = 1
};
/* CurrentControlSet is ControlSet002; Protocols is empty. */
static const struct system_options sys_cs2 = {
	.select = 1, .current = 2, .default_set = 2, .failed = 0,
	.last_known_good = 3, .control_sets = 3,
	.processor_architecture = "AMD64"
};
static const struct system_options sys_noselect = {
	.select = 0, .control_sets = 1,
	.processor_architecture = "AMD64", .ssl2_client = 1
};
/* Select\Current names a control set that does not exist. */
static const struct system_options sys_badselect = {
	.select = 1, .current = 7, .default_set = 1, .failed = 0,
	.last_known_good = 1, .control_sets = 1,
	.processor_architecture = "AMD64", .ssl2_client = 1
};
/* Windows 7 SP1 x64: two control sets, no TLS 1.2 key. */
static const struct system_options sys_win7 = {
	.select = 1, .current = 1, .default_set = 1, .failed = 0,
	.last_known_good = 2, .control_sets = 2,
	.processor_architecture = "AMD64", .ssl2_client = 1
};

static const struct kind kinds[] = {
	{ "software64-net48", &software_win10, build_software, &sw_net48 },
	{ "software64-net40", &software_win10, build_software, &sw_net40 },
	{ "software64-nonet", &software_win10, build_software, &sw_nonet },
	{ "software32-net48", &software_win10, build_software, &sw32_net48 },
	{ "software64-compliant", &software_win10, build_software,
	    &sw_compliant },
	{ "software64-half", &software_win10, build_software, &sw_half },
	{ "software64-noparents", &software_win10, build_software,
	    &sw_noparents },
	{ "software7-64", &software_win7, build_software, &sw7_64 },
	{ "system", &system_win10, build_system, &sys_win10 },
	{ "ntuser", &ntuser_win10, build_ntuser, NULL },
	{ "usrclass", &usrclass_win10, build_usrclass, NULL },
	{ "system-cs2", &system_win10, build_system, &sys_cs2 },
	{ "system32", &system_win10, build_system, &sys_win10_x86 },
	{ "system-noselect", &system_win10, build_system, &sys_noselect },
	{ "system-badselect", &system_win10, build_system, &sys_badselect },
	{ "system7", &system_win7, build_system, &sys_win7 },
	{ "system-tls12", &system_win10, build_system, &sys_tls12 },
	{ "software7-64-net35", &software_win7, build_software,
	    &sw7_64_net35 },
	{ "software7-32", &software_win7_x86, build_software, &sw7_32 },
	{ "software7-64-noupdates", &software_win7, build_software,
	    &sw7_64_noupdates },
	{ "software64-winhttp13", &software_win10, build_software,
	    &sw_winhttp13 },
	{ "software64-net35", &software_win10, build_software, &sw_net35 },
	{ "software64-hostile", &software_win10, build_software_hostile,
	    &sw_net48 },
	{ "hostile-unknown", &hostile_unknown, mkhive_hostile_unknown, NULL },
};

/* DIR/a/b/c/{SOFTWARE,SYSTEM}, like an unbooted image, and the Default
 * user's classes. */
struct tree {
	const char	*name;
	const char	*dirs[3];	/* each inside the one before */
	const char	*software_file;
	const char	*system_file;
	const char	*software_kind;
	const char	*system_kind;
	const char	*user_dirs[6];	/* the same for the user's classes */
	const char	*usrclass_file;
};

#define CONFIG_DIRS	{ "Windows", "System32", "config" }
#define DEFAULT_USER_DIRS \
	{ "Users", "Default", "AppData", "Local", "Microsoft", "Windows" }

static const struct tree trees[] = {
	{ "tree", CONFIG_DIRS, "SOFTWARE", "SYSTEM", "software64-net48",
	    "system", DEFAULT_USER_DIRS, "UsrClass.dat" },
	{ "tree7", CONFIG_DIRS, "SOFTWARE", "SYSTEM", "software7-64-net35",
	    "system7", DEFAULT_USER_DIRS, "UsrClass.dat" },
	{ "tree7-noupdates", CONFIG_DIRS, "SOFTWARE", "SYSTEM",
	    "software7-64-noupdates", "system7", DEFAULT_USER_DIRS,
	    "UsrClass.dat" },
	/* Case-insensitive path lookup: every name in lower case. */
	{ "tree-lower", { "windows", "system32", "config" }, "software",
	    "system", "software64-net48", "system", { "users", "default",
	    "appdata", "local", "microsoft", "windows" }, "usrclass.dat" },
	{ "tree-hostile", CONFIG_DIRS, "SOFTWARE", "SYSTEM",
	    "software64-hostile", "system", DEFAULT_USER_DIRS,
	    "UsrClass.dat" },
};

/* Cells are 8-byte aligned; `len` includes the 4-byte size field. */
static size_t
cell_align(size_t len)
{
	return (len + 7) & ~(size_t)7;
}

/* An allocated cell stores its size negated. */
static uint32_t
allocated_cell_size(size_t len)
{
	return (uint32_t)0 - (uint32_t)len;
}

static int
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/*
 * The base block keeps only the tail of the hive's path: Windows stores
 * the last 31 UTF-16 characters and a NUL, so a SOFTWARE hive says
 * "emRoot\System32\Config\SOFTWARE".
 */
static int
put_file_name(unsigned char *field, const char *name)
{
	size_t max_chars = REGF_BB_NAME_LEN / 2 - 1;
	size_t len, start, i;

	if (!is_ascii(name)) {
		warnx("hive file name is not ASCII: %s", name);
		return -1;
	}
	memset(field, 0, REGF_BB_NAME_LEN);
	len = strlen(name);
	start = len > max_chars ? len - max_chars : 0;
	for (i = start; i < len; i++)
		put_le16(field + 2 * (i - start), (unsigned char)name[i]);
	return 0;
}

/* A SID under NT AUTHORITY (S-1-5-...). */
static size_t
put_sid(unsigned char *p, const uint32_t *sub, uint8_t nsub)
{
	size_t i;

	p[0] = 1;		/* revision */
	p[1] = nsub;
	/* 48-bit big-endian identifier authority: 5 is NT AUTHORITY. */
	memset(p + 2, 0, 5);
	p[7] = 5;
	for (i = 0; i < nsub; i++)
		put_le32(p + 8 + 4 * i, sub[i]);
	return 8 + 4 * (size_t)nsub;
}

static size_t
put_allow_ace(unsigned char *p, uint32_t mask, const uint32_t *sub,
    uint8_t nsub)
{
	size_t sid_len;

	sid_len = put_sid(p + ACE_HEADER_SIZE, sub, nsub);
	p[0] = ACCESS_ALLOWED_ACE;
	/* Subkeys inherit it, as under a real hive root. */
	p[1] = CONTAINER_INHERIT_ACE;
	put_le16(p + 2, (uint16_t)(ACE_HEADER_SIZE + sid_len));
	put_le32(p + 4, mask);
	return ACE_HEADER_SIZE + sid_len;
}

/*
 * Self-relative descriptor: owner Administrators, group SYSTEM, DACL
 * giving SYSTEM and Administrators full control and Users read.
 */
static size_t
put_security_descriptor(unsigned char *sd, size_t cap)
{
	static const uint32_t system_sid[] = { 18 };
	static const uint32_t admins_sid[] = { 32, 544 };
	static const uint32_t users_sid[] = { 32, 545 };
	size_t acl_off = SD_HEADER_SIZE, pos, owner_off, group_off;

	/* Largest possible: header, ACL, 3 ACEs, 2 SIDs, all <= 16 bytes. */
	if (cap < SD_HEADER_SIZE + ACL_HEADER_SIZE + 3 * (8 + 16) + 2 * 16)
		return 0;
	memset(sd, 0, cap);

	pos = acl_off + ACL_HEADER_SIZE;
	pos += put_allow_ace(sd + pos, KEY_ALL_ACCESS, system_sid, 1);
	pos += put_allow_ace(sd + pos, KEY_ALL_ACCESS, admins_sid, 2);
	pos += put_allow_ace(sd + pos, KEY_READ, users_sid, 2);
	sd[acl_off] = ACL_REVISION;
	put_le16(sd + acl_off + 2, (uint16_t)(pos - acl_off));
	put_le16(sd + acl_off + 4, 3);	/* ACE count */

	owner_off = pos;
	pos += put_sid(sd + pos, admins_sid, 2);
	group_off = pos;
	pos += put_sid(sd + pos, system_sid, 1);

	sd[0] = 1;			/* revision */
	put_le16(sd + 2, SE_SELF_RELATIVE | SE_DACL_PRESENT);
	put_le32(sd + 4, (uint32_t)owner_off);
	put_le32(sd + 8, (uint32_t)group_off);
	put_le32(sd + 12, 0);		/* no SACL */
	put_le32(sd + 16, (uint32_t)acl_off);
	return pos;
}

static int
write_all(int fd, const unsigned char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Outputs are removed on failure, so never write to (and later unlink)
 * something that is not a plain file, such as /dev/null or a FIFO.
 */
static int
check_output(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		warn("%s", path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		warnx("%s: exists and is not a regular file", path);
		return -1;
	}
	return 0;
}

/* Write a whole file; on failure a partly written file is removed. */
static int
write_file(const char *path, const unsigned char *buf, size_t len)
{
	int fd, saved;

	if (check_output(path) == -1)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1) {
		warn("%s", path);
		return -1;
	}
	if (write_all(fd, buf, len) == -1) {
		saved = errno;
		(void)close(fd);
		errno = saved;
		warn("write %s", path);
		(void)unlink(path);
		return -1;
	}
	if (close(fd) == -1) {
		warn("close %s", path);
		(void)unlink(path);
		return -1;
	}
	return 0;
}

/*
 * The smallest hive hivex will open for writing: a base block and one
 * 4 KiB bin holding the root nk, its sk, and the rest as one free cell.
 */
static int
write_skeleton(const char *path, const struct hive_identity *id)
{
	unsigned char file[REGF_BASE_BLOCK + REGF_PAGE];
	unsigned char sd[SD_MAX];
	unsigned char *bin = file + REGF_BASE_BLOCK;
	unsigned char *nk, *sk;
	size_t name_len, sd_len, nk_off, nk_len, sk_off, sk_len, free_off;

	name_len = strlen(id->root_name);
	if (name_len == 0 || name_len > REGF_MAX_KEY_NAME ||
	    !is_ascii(id->root_name)) {
		warnx("bad root key name: %s", id->root_name);
		return -1;
	}
	sd_len = put_security_descriptor(sd, sizeof(sd));
	if (sd_len == 0) {
		warnx("security descriptor buffer too small");
		return -1;
	}

	/* Offsets below are relative to the start of the hive bins data. */
	nk_off = REGF_HBIN_HEADER;
	nk_len = cell_align(REGF_CELL_SIZE_FIELD + REGF_NK_FIXED_SIZE + name_len);
	sk_off = nk_off + nk_len;
	sk_len = cell_align(REGF_CELL_SIZE_FIELD + REGF_SK_FIXED_SIZE + sd_len);
	free_off = sk_off + sk_len;
	if (free_off + 8 > REGF_PAGE) {
		warnx("root cells do not fit in one hive bin");
		return -1;
	}

	memset(file, 0, sizeof(file));

	memcpy(bin, "hbin", 4);
	put_le32(bin + REGF_HBIN_OFFSET, 0);
	put_le32(bin + REGF_HBIN_SIZE, REGF_PAGE);
	/* The first bin backs up the base block's timestamp. */
	put_le64(bin + REGF_HBIN_TIMESTAMP, FIXED_FILETIME);

	put_le32(bin + nk_off, allocated_cell_size(nk_len));
	nk = bin + nk_off + REGF_CELL_SIZE_FIELD;
	memcpy(nk, "nk", 2);
	put_le16(nk + REGF_NK_FLAGS, REGF_KEY_HIVE_ENTRY | REGF_KEY_NO_DELETE | REGF_KEY_COMP_NAME);
	put_le64(nk + REGF_NK_TIMESTAMP, FIXED_FILETIME);
	/* The root has no parent; the field means nothing on disk. */
	put_le32(nk + REGF_NK_PARENT, REGF_NO_OFFSET);
	put_le32(nk + REGF_NK_NR_SUBKEYS, 0);
	put_le32(nk + REGF_NK_NR_VOLATILE, 0);
	put_le32(nk + REGF_NK_SUBKEYS, REGF_NO_OFFSET);
	put_le32(nk + REGF_NK_VOLATILE_SUBKEYS, REGF_NO_OFFSET);
	put_le32(nk + REGF_NK_NR_VALUES, 0);
	put_le32(nk + REGF_NK_VALUES, REGF_NO_OFFSET);
	put_le32(nk + REGF_NK_SECURITY, (uint32_t)sk_off);
	put_le32(nk + REGF_NK_CLASS, REGF_NO_OFFSET);
	put_le16(nk + REGF_NK_NAME_LEN, (uint16_t)name_len);
	put_le16(nk + REGF_NK_CLASS_LEN, 0);
	memcpy(nk + REGF_NK_NAME, id->root_name, name_len);

	/*
	 * hivex_node_add_child gives each new key its parent's sk and bumps
	 * the count, so the root's sk must be valid.  A lone sk is the whole
	 * list: flink and blink point to itself.
	 */
	put_le32(bin + sk_off, allocated_cell_size(sk_len));
	sk = bin + sk_off + REGF_CELL_SIZE_FIELD;
	memcpy(sk, "sk", 2);
	put_le32(sk + REGF_SK_FLINK, (uint32_t)sk_off);
	put_le32(sk + REGF_SK_BLINK, (uint32_t)sk_off);
	put_le32(sk + REGF_SK_REFCOUNT, 1);
	put_le32(sk + REGF_SK_DESCRIPTOR_SIZE, (uint32_t)sd_len);
	memcpy(sk + REGF_SK_DESCRIPTOR, sd, sd_len);

	/* Unallocated cells store a positive size. */
	put_le32(bin + free_off, (uint32_t)(REGF_PAGE - free_off));

	memcpy(file + 0, "regf", 4);
	put_le32(file + REGF_BB_SEQ1, 1);
	put_le32(file + REGF_BB_SEQ2, 1);
	put_le64(file + REGF_BB_TIMESTAMP, FIXED_FILETIME);
	put_le32(file + REGF_BB_MAJOR, 1);
	/* 1.5: lh subkey lists, which is what hivex writes. */
	put_le32(file + REGF_BB_MINOR, 5);
	put_le32(file + REGF_BB_FILE_TYPE, REGF_FILE_PRIMARY);
	put_le32(file + REGF_BB_FILE_FORMAT, REGF_FILE_FORMAT_DIRECT);
	put_le32(file + REGF_BB_ROOT, (uint32_t)nk_off);
	put_le32(file + REGF_BB_BINS_SIZE, REGF_PAGE);
	put_le32(file + REGF_BB_CLUSTERING, 1);
	if (put_file_name(file + REGF_BB_NAME, id->file_name) == -1)
		return -1;
	regf_checksum_set(file);

	return write_file(path, file, sizeof(file));
}

/* REG_SZ data: UTF-16LE with its terminating NUL, as Windows stores it. */
static char *
utf16le_string(const char *s, size_t *lenp)
{
	size_t n, i;
	char *out;

	if (!is_ascii(s)) {
		warnx("string is not ASCII: %s", s);
		return NULL;
	}
	n = strlen(s) + 1;
	out = calloc(n, 2);
	if (out == NULL) {
		warn("calloc");
		return NULL;
	}
	for (i = 0; i < n; i++)
		put_le16((unsigned char *)out + 2 * i, (unsigned char)s[i]);
	*lenp = n * 2;
	return out;
}

static char *
copy_bytes(const void *src, size_t len)
{
	char *out;

	/* malloc(0) may return NULL; never ask for it. */
	out = malloc(len > 0 ? len : 1);
	if (out == NULL) {
		warn("malloc");
		return NULL;
	}
	if (len > 0)
		memcpy(out, src, len);
	return out;
}

/* Fill `sv` from `def`; sv->value is malloc'd, sv->key borrowed. */
static int
encode_value(const struct value_def *def, hive_set_value *sv)
{
	unsigned char dword[4];

	/* hivex does not write through key; the cast only drops const. */
	sv->key = (char *)def->name;
	switch (def->kind) {
	case VAL_SZ:
	case VAL_EXPAND_SZ:
		sv->t = def->kind == VAL_SZ ? hive_t_REG_SZ :
		    hive_t_REG_EXPAND_SZ;
		sv->value = utf16le_string(def->text, &sv->len);
		break;
	case VAL_DWORD:
		sv->t = hive_t_REG_DWORD;
		put_le32(dword, def->number);
		sv->len = sizeof(dword);
		sv->value = copy_bytes(dword, sizeof(dword));
		break;
	case VAL_BINARY:
		sv->t = hive_t_REG_BINARY;
		sv->len = def->nbytes;
		sv->value = copy_bytes(def->bytes, def->nbytes);
		break;
	default:
		warnx("value %s: unknown kind %d", def->name, (int)def->kind);
		return -1;
	}
	return sv->value == NULL ? -1 : 0;
}

/*
 * Find or create the key at `path` ("A\\B\\C", relative to the root),
 * creating missing parents on the way.
 */
static int
open_key(hive_h *h, const char *path, hive_node_h *nodep)
{
	char part[REGF_MAX_KEY_NAME + 1];
	const char *p, *end;
	hive_node_h node, child;
	size_t len;

	node = hivex_root(h);
	if (node == 0) {
		warn("hivex_root");
		return -1;
	}
	for (p = path; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		end = strchr(p, '\\');
		if (end == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (len == 0 || len > REGF_MAX_KEY_NAME) {
			warnx("bad key path: %s", path);
			return -1;
		}
		memcpy(part, p, len);
		part[len] = '\0';

		/* Not found is 0 with errno untouched; error sets errno. */
		errno = 0;
		child = hivex_node_get_child(h, node, part);
		if (child == 0 && errno != 0) {
			warn("%s: looking up %s", path, part);
			return -1;
		}
		if (child == 0) {
			child = hivex_node_add_child(h, node, part);
			if (child == 0) {
				warn("%s: adding %s", path, part);
				return -1;
			}
		}
		node = child;
	}
	*nodep = node;
	return 0;
}

/*
 * Set the values on `node`.  A key without values gets them all in one
 * hivex_node_set_values call (it replaces every value); a key that has
 * some already gets them one at a time, which keeps the old ones.
 */
static int
set_values(hive_h *h, const char *path, hive_node_h node,
    const struct value_def *defs, size_t n)
{
	hive_set_value *sv;
	size_t i, existing;
	int rc = -1;

	if (n == 0)
		return 0;
	sv = calloc(n, sizeof(*sv));
	if (sv == NULL) {
		warn("calloc");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (encode_value(&defs[i], &sv[i]) == -1)
			goto out;

	errno = 0;
	existing = hivex_node_nr_values(h, node);
	if (existing == 0 && errno != 0) {
		warn("%s: counting values", path);
		goto out;
	}
	if (existing == 0) {
		if (hivex_node_set_values(h, node, n, sv, 0) == -1) {
			warn("%s: setting values", path);
			goto out;
		}
	} else {
		for (i = 0; i < n; i++) {
			if (hivex_node_set_value(h, node, &sv[i], 0) == -1) {
				warn("%s: setting %s", path, sv[i].key);
				goto out;
			}
		}
	}
	rc = 0;
out:
	/* calloc'd: entries never encoded hold NULL. */
	for (i = 0; i < n; i++)
		free(sv[i].value);
	free(sv);
	return rc;
}

static int
add_values(hive_h *h, const char *path, const struct value_def *defs,
    size_t n)
{
	hive_node_h node;

	if (open_key(h, path, &node) == -1)
		return -1;
	return set_values(h, path, node, defs, n);
}

static int
add_key(hive_h *h, const char *path)
{
	hive_node_h node;

	return open_key(h, path, &node);
}

/* snprintf into a fixed buffer; too long is an error, not a truncation. */
static int
join_path(char *buf, size_t size, const char *a, const char *b)
{
	int n;

	n = snprintf(buf, size, "%s%s", a, b);
	if (n < 0 || (size_t)n >= size) {
		warnx("path too long: %s%s", a, b);
		return -1;
	}
	return 0;
}

/* NET Framework Setup\NDP\v4: what detectors read to find .NET 4.x. */
static int
add_ndp(hive_h *h, const struct software_options *o, const struct view *v)
{
	char path[512];
	struct value_def full[6];
	size_t n = 0;

	if (o->dotnet == DOTNET_NONE) {
		/* The NDP key exists but holds no v4. */
		if (join_path(path, sizeof(path), v->prefix,
		    "Microsoft\\NET Framework Setup\\NDP") == -1)
			return -1;
		return add_key(h, path);
	}

	full[n++] = (struct value_def)DWORD("Install", 1);
	full[n++] = (struct value_def)SZ("InstallPath", v->framework_v4);
	full[n++] = (struct value_def)DWORD("Servicing", 0);
	full[n++] = (struct value_def)SZ("TargetVersion", "4.0.0");
	if (o->dotnet == DOTNET_48) {
		full[n++] = (struct value_def)DWORD("Release", 528040);
		full[n++] = (struct value_def)SZ("Version", "4.8.04084");
	} else {
		full[n++] = (struct value_def)SZ("Version", "4.0.30319");
	}

	if (join_path(path, sizeof(path), v->prefix,
	    "Microsoft\\NET Framework Setup\\NDP\\v4\\Full") == -1)
		return -1;
	if (add_values(h, path, full, n) == -1)
		return -1;
	/* The Client profile mirrors Full. */
	if (join_path(path, sizeof(path), v->prefix,
	    "Microsoft\\NET Framework Setup\\NDP\\v4\\Client") == -1)
		return -1;
	return add_values(h, path, full, n);
}

/* Microsoft\.NETFramework and the v4.0.30319 key hivepatch writes to. */
static int
add_netfx(hive_h *h, const struct software_options *o, const struct view *v)
{
	char path[512];
	struct value_def root[1], v4[2];
	size_t nv4 = 0;

	if (!o->netfx_keys)
		return 0;

	root[0] = (struct value_def)SZ("InstallRoot", v->framework_root);
	if (join_path(path, sizeof(path), v->prefix,
	    "Microsoft\\.NETFramework") == -1)
		return -1;
	if (add_values(h, path, root, NELEM(root)) == -1)
		return -1;

	if (o->dotnet == DOTNET_NONE)
		return 0;

	/* An unrelated value a patch must leave alone. */
	v4[nv4++] = (struct value_def)SZ("SomeOtherValue", "keep me");
	if (v->strong_crypto)
		v4[nv4++] = (struct value_def)DWORD("SchUseStrongCrypto", 1);
	if (join_path(path, sizeof(path), v->prefix,
	    "Microsoft\\.NETFramework\\v4.0.30319") == -1)
		return -1;
	return add_values(h, path, v4, nv4);
}

/*
 * .NET 3.5 SP1 (with 2.0 SP2 under it): NDP\v2.0.50727 and NDP\v3.5,
 * plus Microsoft\.NETFramework\v2.0.50727, which exists with no values.
 */
static int
add_net35(hive_h *h, const struct software_options *o, const struct view *v)
{
	char path[512], install_path[256];
	struct value_def v20[3], v35[4];

	if (o->net35_version == NULL)
		return 0;

	v20[0] = (struct value_def)DWORD("Install", 1);
	v20[1] = (struct value_def)DWORD("SP", 2);
	v20[2] = (struct value_def)SZ("Version", o->net20_version);
	if (join_path(path, sizeof(path), v->prefix,
	    "Microsoft\\NET Framework Setup\\NDP\\v2.0.50727") == -1 ||
	    add_values(h, path, v20, NELEM(v20)) == -1)
		return -1;

	if (join_path(install_path, sizeof(install_path), v->framework_root,
	    "v3.5\\") == -1)
		return -1;
	v35[0] = (struct value_def)DWORD("Install", 1);
	v35[1] = (struct value_def)SZ("InstallPath", install_path);
	v35[2] = (struct value_def)DWORD("SP", 1);
	v35[3] = (struct value_def)SZ("Version", o->net35_version);
	if (join_path(path, sizeof(path), v->prefix,
	    "Microsoft\\NET Framework Setup\\NDP\\v3.5") == -1 ||
	    add_values(h, path, v35, NELEM(v35)) == -1)
		return -1;

	if (!o->netfx_keys)
		return 0;
	if (join_path(path, sizeof(path), v->prefix,
	    "Microsoft\\.NETFramework\\v2.0.50727") == -1)
		return -1;
	return add_key(h, path);
}

/* WinHTTP's default protocols for apps that do not choose their own. */
static int
add_winhttp(hive_h *h, const struct view *v, uint32_t protocols)
{
	char path[512];
	struct value_def winhttp[1];

	if (protocols == 0)
		return 0;
	winhttp[0] = (struct value_def)DWORD("DefaultSecureProtocols",
	    protocols);
	if (join_path(path, sizeof(path), v->prefix,
	    "Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp") ==
	    -1)
		return -1;
	return add_values(h, path, winhttp, NELEM(winhttp));
}

static int
add_packages(hive_h *h, const struct package *p)
{
	char path[512];
	struct value_def v[2];

	for (; p != NULL && p->name != NULL; p++) {
		v[0] = (struct value_def)DWORD("CurrentState", p->state);
		v[1] = (struct value_def)SZ("InstallLocation", "C:\\Windows\\"
		    "SoftwareDistribution\\Download");
		if (snprintf(path, sizeof(path), "Microsoft\\Windows\\"
		    "CurrentVersion\\Component Based Servicing\\Packages\\%s",
		    p->name) >= (int)sizeof(path) ||
		    add_values(h, path, v, NELEM(v)) == -1)
			return -1;
	}
	return 0;
}

static int
add_os_version(hive_h *h, const struct software_options *o)
{
	struct value_def cv[16];
	size_t n = 0;

	cv[n++] = (struct value_def)SZ("ProductName", o->product_name);
	cv[n++] = (struct value_def)SZ("CurrentBuild", o->current_build);
	cv[n++] = (struct value_def)SZ("CurrentBuildNumber", o->current_build);
	cv[n++] = (struct value_def)SZ("CurrentVersion", o->current_version);
	cv[n++] = (struct value_def)SZ("EditionID", "Professional");
	cv[n++] = (struct value_def)SZ("InstallationType", "Client");
	cv[n++] = (struct value_def)SZ("CurrentType", "Multiprocessor Free");
	cv[n++] = (struct value_def)SZ("SystemRoot", "C:\\Windows");
	cv[n++] = (struct value_def)SZ("PathName", "C:\\Windows");
	cv[n++] = (struct value_def)SZ("RegisteredOwner", "user");
	if (o->display_version != NULL) {
		cv[n++] = (struct value_def)SZ("DisplayVersion",
		    o->display_version);
		cv[n++] = (struct value_def)SZ("ReleaseId", "2009");
		cv[n++] = (struct value_def)DWORD("CurrentMajorVersionNumber",
		    10);
		cv[n++] = (struct value_def)DWORD("CurrentMinorVersionNumber",
		    0);
	}
	if (o->csd_version != NULL)
		cv[n++] = (struct value_def)SZ("CSDVersion", o->csd_version);
	return add_values(h, "Microsoft\\Windows NT\\CurrentVersion", cv, n);
}

static int
build_software(hive_h *h, const void *arg)
{
	const struct software_options *o = arg;
	static const struct value_def txt[] = {
		SZ("", "txtfile"),
		SZ("Content Type", "text/plain"),
		SZ("PerceivedType", "text"),
	};
	static const struct value_def txtfile[] = {
		SZ("", "Text Document"),
	};
	static const struct value_def cv64[] = {
		SZ("ProgramFilesDir", "C:\\Program Files"),
		SZ("ProgramFilesDir (x86)", "C:\\Program Files (x86)"),
		SZ("ProgramW6432Dir", "C:\\Program Files"),
		SZ("CommonFilesDir", "C:\\Program Files\\Common Files"),
		EXPAND_SZ("DevicePath", "%SystemRoot%\\inf"),
	};
	static const struct value_def cv32[] = {
		SZ("ProgramFilesDir", "C:\\Program Files"),
		SZ("CommonFilesDir", "C:\\Program Files\\Common Files"),
		EXPAND_SZ("DevicePath", "%SystemRoot%\\inf"),
	};
	static const struct value_def cv_wow[] = {
		SZ("ProgramFilesDir", "C:\\Program Files (x86)"),
		SZ("CommonFilesDir", "C:\\Program Files (x86)\\Common Files"),
		EXPAND_SZ("DevicePath", "%SystemRoot%\\inf"),
	};
	/* The native view of a 64-bit Windows uses Framework64. */
	struct view native = {
		"",
		o->wow64 ? FRAMEWORK64 : FRAMEWORK32,
		o->wow64 ? FRAMEWORK64 "v4.0.30319\\" :
		    FRAMEWORK32 "v4.0.30319\\",
		o->strong_crypto_64
	};
	struct view wow = {
		"Wow6432Node\\",
		FRAMEWORK32,
		FRAMEWORK32 "v4.0.30319\\",
		o->strong_crypto_32
	};

	if (add_values(h, "Classes\\.txt", txt, NELEM(txt)) == -1 ||
	    add_values(h, "Classes\\txtfile", txtfile, NELEM(txtfile)) == -1 ||
	    add_key(h, "Classes\\CLSID") == -1 ||
	    add_key(h, "Clients") == -1 ||
	    add_key(h, "Policies\\Microsoft\\Windows") == -1 ||
	    add_key(h, "RegisteredApplications") == -1)
		return -1;

	if (o->wow64) {
		if (add_values(h, "Microsoft\\Windows\\CurrentVersion", cv64,
		    NELEM(cv64)) == -1)
			return -1;
	} else {
		if (add_values(h, "Microsoft\\Windows\\CurrentVersion", cv32,
		    NELEM(cv32)) == -1)
			return -1;
	}
	if (add_os_version(h, o) == -1 ||
	    add_ndp(h, o, &native) == -1 ||
	    add_netfx(h, o, &native) == -1 ||
	    add_net35(h, o, &native) == -1 ||
	    add_winhttp(h, &native, o->winhttp_64) == -1 ||
	    add_packages(h, o->packages) == -1)
		return -1;

	/* A 32-bit Windows has no Wow6432Node; never invent one. */
	if (!o->wow64)
		return 0;
	if (add_values(h, "Wow6432Node\\Microsoft\\Windows\\CurrentVersion",
	    cv_wow, NELEM(cv_wow)) == -1 ||
	    add_ndp(h, o, &wow) == -1 ||
	    add_netfx(h, o, &wow) == -1 ||
	    add_net35(h, o, &wow) == -1 ||
	    add_winhttp(h, &wow, o->winhttp_32) == -1)
		return -1;
	return 0;
}

/* software64-net48 with hostile names and strings (mkhive_hostile.c). */
static int
build_software_hostile(hive_h *h, const void *arg)
{
	if (build_software(h, arg) == -1)
		return -1;
	return mkhive_hostile_software(h);
}

/* ControlSetNNN followed by `rest`. */
static int
control_set_path(char *buf, size_t size, unsigned n, const char *rest)
{
	int len;

	len = snprintf(buf, size, "ControlSet%03u%s", n, rest);
	if (len < 0 || (size_t)len >= size) {
		warnx("path too long: ControlSet%03u%s", n, rest);
		return -1;
	}
	return 0;
}

/* The SCHANNEL key, relative to a control set. */
#define SCHANNEL	"\\Control\\SecurityProviders\\SCHANNEL"

static int
add_control_set(hive_h *h, const struct system_options *o, unsigned n)
{
	const struct value_def environment[] = {
		EXPAND_SZ("ComSpec", "%SystemRoot%\\system32\\cmd.exe"),
		SZ("NUMBER_OF_PROCESSORS", "4"),
		SZ("OS", "Windows_NT"),
		EXPAND_SZ("Path", "%SystemRoot%\\system32;%SystemRoot%;"
		    "%SystemRoot%\\System32\\Wbem"),
		SZ("PROCESSOR_ARCHITECTURE", o->processor_architecture),
		EXPAND_SZ("TEMP", "%SystemRoot%\\TEMP"),
		EXPAND_SZ("TMP", "%SystemRoot%\\TEMP"),
		EXPAND_SZ("windir", "%SystemRoot%"),
	};
	static const struct value_def computer_name[] = {
		SZ("ComputerName", "FIXTURE-PC"),
	};
	static const struct value_def schannel[] = {
		DWORD("EventLogging", 1),
	};
	static const struct value_def ssl2_client[] = {
		DWORD("DisabledByDefault", 1),
	};
	static const struct value_def tls12[] = {
		DWORD("Enabled", 1),
		DWORD("DisabledByDefault", 0),
	};
	static const struct value_def tcpip[] = {
		SZ("Hostname", "FIXTURE-PC"),
		SZ("Domain", ""),
	};
	char path[512];

	if (control_set_path(path, sizeof(path), n,
	    "\\Control\\ComputerName\\ComputerName") == -1 ||
	    add_values(h, path, computer_name, NELEM(computer_name)) == -1 ||
	    control_set_path(path, sizeof(path), n,
	    "\\Control\\Session Manager\\Environment") == -1 ||
	    add_values(h, path, environment, NELEM(environment)) == -1 ||
	    control_set_path(path, sizeof(path), n, SCHANNEL) == -1 ||
	    add_values(h, path, schannel, NELEM(schannel)) == -1)
		return -1;
	/* Protocols exists even when it is empty, as on Windows 10. */
	if (o->ssl2_client) {
		if (control_set_path(path, sizeof(path), n,
		    SCHANNEL "\\Protocols\\SSL 2.0\\Client") == -1 ||
		    add_values(h, path, ssl2_client, NELEM(ssl2_client)) == -1)
			return -1;
	} else {
		if (control_set_path(path, sizeof(path), n,
		    SCHANNEL "\\Protocols") == -1 ||
		    add_key(h, path) == -1)
			return -1;
	}
	if (o->tls12) {
		if (control_set_path(path, sizeof(path), n,
		    SCHANNEL "\\Protocols\\TLS 1.2\\Client") == -1 ||
		    add_values(h, path, tls12, NELEM(tls12)) == -1 ||
		    control_set_path(path, sizeof(path), n,
		    SCHANNEL "\\Protocols\\TLS 1.2\\Server") == -1 ||
		    add_values(h, path, tls12, NELEM(tls12)) == -1)
			return -1;
	}
	if (control_set_path(path, sizeof(path), n,
	    "\\Services\\Tcpip\\Parameters") == -1 ||
	    add_values(h, path, tcpip, NELEM(tcpip)) == -1)
		return -1;
	return 0;
}

static int
build_system(hive_h *h, const void *arg)
{
	const struct system_options *o = arg;
	const struct value_def select_values[] = {
		DWORD("Current", o->current),
		DWORD("Default", o->default_set),
		DWORD("Failed", o->failed),
		DWORD("LastKnownGood", o->last_known_good),
	};
	/* MBR disk signature, then the partition's byte offset (1 MiB). */
	static const unsigned char c_drive[] = {
		0x5a, 0x1f, 0x3c, 0x8e, 0x00, 0x00, 0x10, 0x00,
		0x00, 0x00, 0x00, 0x00,
	};
	static const struct value_def mounted[] = {
		BINARY("\\DosDevices\\C:", c_drive),
	};
	unsigned n;

	if (o->control_sets == 0 || o->control_sets > MAX_CONTROL_SETS) {
		warnx("bad number of control sets: %u", o->control_sets);
		return -1;
	}
	if (o->select && add_values(h, "Select", select_values,
	    NELEM(select_values)) == -1)
		return -1;
	for (n = 1; n <= o->control_sets; n++)
		if (add_control_set(h, o, n) == -1)
			return -1;
	if (add_values(h, "MountedDevices", mounted, NELEM(mounted)) == -1 ||
	    add_key(h, "Setup") == -1)
		return -1;
	return 0;
}

static int
build_ntuser(hive_h *h, const void *arg)
{
	static const struct value_def environment[] = {
		EXPAND_SZ("TEMP", "%USERPROFILE%\\AppData\\Local\\Temp"),
		EXPAND_SZ("TMP", "%USERPROFILE%\\AppData\\Local\\Temp"),
	};
	static const struct value_def desktop[] = {
		SZ("Wallpaper", ""),
		SZ("WallpaperStyle", "10"),
	};
	static const struct value_def international[] = {
		SZ("LocaleName", "en-US"),
		SZ("sShortDate", "M/d/yyyy"),
	};
	static const struct value_def ie_main[] = {
		SZ("Start Page", "about:blank"),
	};

	(void)arg;
	if (add_key(h, "AppEvents") == -1 ||
	    add_key(h, "Console") == -1 ||
	    add_values(h, "Control Panel\\Desktop", desktop,
	    NELEM(desktop)) == -1 ||
	    add_values(h, "Control Panel\\International", international,
	    NELEM(international)) == -1 ||
	    add_values(h, "Environment", environment,
	    NELEM(environment)) == -1 ||
	    add_values(h, "Software\\Microsoft\\Internet Explorer\\Main",
	    ie_main, NELEM(ie_main)) == -1 ||
	    add_key(h, "Software\\Microsoft\\Windows\\CurrentVersion\\Run") ==
	    -1)
		return -1;
	return 0;
}

static int
build_usrclass(hive_h *h, const void *arg)
{
	static const struct value_def progids[] = {
		SZ("txtfile", ""),
	};
	static const struct value_def notepad[] = {
		EXPAND_SZ("", "%SystemRoot%\\system32\\NOTEPAD.EXE %1"),
	};

	(void)arg;
	if (add_values(h, ".txt\\OpenWithProgids", progids,
	    NELEM(progids)) == -1 ||
	    add_values(h, "Applications\\notepad.exe\\shell\\open\\command",
	    notepad, NELEM(notepad)) == -1 ||
	    add_key(h, "Local Settings\\Software\\Microsoft\\Windows\\Shell"
	    "\\BagMRU") == -1)
		return -1;
	return 0;
}

/* Deterministic filler bytes. */
static uint32_t
xorshift32(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* Bytes hivex will allocate for a value: the vk cell and its data cell. */
static uint64_t
value_cost(const char *name, size_t len)
{
	uint64_t cost;

	cost = cell_align(REGF_CELL_SIZE_FIELD + REGF_VK_FIXED_SIZE + strlen(name));
	if (len > 4)
		cost += cell_align(REGF_CELL_SIZE_FIELD + len);
	return cost;
}

/*
 * Bytes a new key costs: its nk, its value list, and the parent's new
 * lh list (hivex copies the whole list on every insert and does not
 * reuse the old cell).
 */
static uint64_t
key_cost(const char *name, size_t siblings, size_t nvalues)
{
	uint64_t cost;

	cost = cell_align(REGF_CELL_SIZE_FIELD + REGF_NK_FIXED_SIZE + strlen(name));
	cost += cell_align(REGF_CELL_SIZE_FIELD + 4 + 8 * (siblings + 1));
	if (nvalues > 0)
		cost += cell_align(REGF_CELL_SIZE_FIELD + 4 * nvalues);
	return cost;
}

/*
 * Add one padding key, Classes\MkhivePadding\GroupNNNNN\ItemNNNNNNN, with
 * two strings and PAD_BLOBS binary values, all set in one call.  Keys go
 * in groups because hivex_node_add_child is linear in the sibling count.
 */
static int
add_padding_item(hive_h *h, struct padding *pad, uint64_t *added)
{
	char group_path[128], item_name[32], text[PAD_TEXT_SIZE];
	char blob_names[PAD_BLOBS][16];
	unsigned char blobs[PAD_BLOBS][PAD_BLOB_SIZE];
	struct value_def defs[2 + PAD_BLOBS];
	unsigned long group_no = pad->next_item / PAD_ITEMS_PER_GROUP;
	size_t in_group = pad->next_item % PAD_ITEMS_PER_GROUP;
	hive_node_h item;
	uint32_t state;
	size_t i, j;
	int n;

	n = snprintf(group_path, sizeof(group_path), "%s\\Group%05lu",
	    PAD_PARENT, group_no);
	if (n < 0 || (size_t)n >= sizeof(group_path)) {
		warnx("padding group path too long");
		return -1;
	}
	if (in_group == 0 || pad->group == 0) {
		if (open_key(h, group_path, &pad->group) == -1)
			return -1;
		*added += key_cost(group_path + strlen(PAD_PARENT) + 1,
		    (size_t)group_no, 0);
	}

	n = snprintf(item_name, sizeof(item_name), "Item%07lu",
	    pad->next_item);
	if (n < 0 || (size_t)n >= sizeof(item_name)) {
		warnx("padding item name too long");
		return -1;
	}
	item = hivex_node_add_child(h, pad->group, item_name);
	if (item == 0) {
		warn("%s\\%s", group_path, item_name);
		return -1;
	}

	n = snprintf(text, sizeof(text), "Padding item %lu of the mkhive "
	    "big fixture. It only makes the hive large, like the thousands "
	    "of COM classes under HKLM\\SOFTWARE\\Classes on a real system.",
	    pad->next_item);
	if (n < 0 || (size_t)n >= sizeof(text)) {
		warnx("padding text too long");
		return -1;
	}
	defs[0] = (struct value_def)SZ("", text);
	defs[1] = (struct value_def)SZ("FriendlyTypeName", item_name);
	state = (uint32_t)pad->next_item * 2654435761U + 1;
	if (state == 0)
		state = 1;
	for (i = 0; i < PAD_BLOBS; i++) {
		(void)snprintf(blob_names[i], sizeof(blob_names[i]), "Blob%zu",
		    i);
		for (j = 0; j < PAD_BLOB_SIZE; j++)
			blobs[i][j] = (unsigned char)xorshift32(&state);
		defs[2 + i] = (struct value_def)BINARY(blob_names[i],
		    blobs[i]);
	}
	if (set_values(h, item_name, item, defs, NELEM(defs)) == -1)
		return -1;

	*added += key_cost(item_name, in_group, NELEM(defs));
	for (i = 0; i < NELEM(defs); i++) {
		size_t len = defs[i].kind == VAL_BINARY ? defs[i].nbytes :
		    2 * (strlen(defs[i].text) + 1);
		*added += value_cost(defs[i].name, len);
	}
	pad->next_item++;
	return 0;
}

/* Add padding keys until about `want` more bytes are allocated. */
static int
add_padding(hive_h *h, struct padding *pad, uint64_t want)
{
	uint64_t added = 0;

	/* Handles are cell offsets; look the group up again per handle. */
	pad->group = 0;
	while (added < want)
		if (add_padding_item(h, pad, &added) == -1)
			return -1;
	return 0;
}

struct big_options {
	uint64_t	 target;
	struct padding	*pad;
};

static int
build_big(hive_h *h, const void *arg)
{
	const struct big_options *b = arg;

	if (build_software(h, &sw_net48) == -1)
		return -1;
	/* The estimate ignores the slack at the end of each bin. */
	return add_padding(h, b->pad, b->target -
	    (REGF_BASE_BLOCK + REGF_PAGE));
}

static int
read_base_block(int fd, const char *path, unsigned char *bb)
{
	ssize_t n;

	n = pread(fd, bb, REGF_BASE_BLOCK, 0);
	if (n == -1) {
		warn("read %s", path);
		return -1;
	}
	if (n != REGF_BASE_BLOCK || memcmp(bb, "regf", 4) != 0) {
		warnx("%s: not a regf hive", path);
		return -1;
	}
	return 0;
}

/* Cut the file after its last hive bin, as the base block counts them. */
static int
trim_to_bins(const char *path)
{
	unsigned char bb[REGF_BASE_BLOCK];
	struct stat st;
	off_t end;
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd == -1) {
		warn("%s", path);
		return -1;
	}
	if (read_base_block(fd, path, bb) == -1)
		goto fail;
	end = (off_t)REGF_BASE_BLOCK + (off_t)le32(bb + REGF_BB_BINS_SIZE);
	if (fstat(fd, &st) == -1) {
		warn("%s", path);
		goto fail;
	}
	if (st.st_size < end) {
		warnx("%s: shorter than its hive bins", path);
		goto fail;
	}
	if (ftruncate(fd, end) == -1) {
		warn("truncate %s", path);
		goto fail;
	}
	if (close(fd) == -1) {
		warn("close %s", path);
		return -1;
	}
	return 0;
fail:
	(void)close(fd);
	return -1;
}

/*
 * Write the skeleton to `path`, let `build` fill it through hivex, and
 * commit once.  On failure the half-written file is removed.
 *
 * hivex grows its in-memory hive with one realloc per new 4 KiB bin;
 * where realloc cannot grow in place (under ASan, say) each one copies
 * the whole hive, which is quadratic.  It fills slack past the last bin
 * before growing, so for a big hive `room` bytes of zeros are added to
 * the skeleton first and whatever is left unused is cut off at the end.
 */
static int
create_hive(const char *path, const struct hive_identity *id, build_fn build,
    const void *arg, uint64_t room)
{
	hive_h *h;

	/* write_file cleans up after itself, and refuses non-files. */
	if (write_skeleton(path, id) == -1)
		return -1;
	if (room > 0 && truncate(path,
	    (off_t)(REGF_BASE_BLOCK + REGF_PAGE + room)) == -1) {
		warn("truncate %s", path);
		goto fail;
	}
	h = hivex_open(path, HIVEX_OPEN_WRITE);
	if (h == NULL) {
		warn("hivex_open %s", path);
		goto fail;
	}
	if (build(h, arg) == -1) {
		(void)hivex_close(h);
		goto fail;
	}
	if (hivex_commit(h, NULL, 0) == -1) {
		warn("hivex_commit %s", path);
		(void)hivex_close(h);
		goto fail;
	}
	if (hivex_close(h) == -1) {
		warn("hivex_close %s", path);
		goto fail;
	}
	if (room > 0 && trim_to_bins(path) == -1)
		goto fail;
	return 0;
fail:
	(void)unlink(path);
	return -1;
}

/* Reopen the hive and pad it again until the file is `target` bytes. */
static int
top_up(const char *path, struct padding *pad, uint64_t target)
{
	struct stat st;
	hive_h *h;

	for (;;) {
		if (stat(path, &st) == -1) {
			warn("%s", path);
			return -1;
		}
		if ((uint64_t)st.st_size >= target)
			return 0;
		h = hivex_open(path, HIVEX_OPEN_WRITE);
		if (h == NULL) {
			warn("hivex_open %s", path);
			return -1;
		}
		if (add_padding(h, pad, target - (uint64_t)st.st_size) == -1) {
			(void)hivex_close(h);
			return -1;
		}
		if (hivex_commit(h, NULL, 0) == -1) {
			warn("hivex_commit %s", path);
			(void)hivex_close(h);
			return -1;
		}
		if (hivex_close(h) == -1) {
			warn("hivex_close %s", path);
			return -1;
		}
	}
}

static int
write_log_header(const char *path, const char *suffix,
    const unsigned char *bb)
{
	unsigned char log[REGF_LOG_HEADER];
	char log_path[PATH_MAX];

	if (join_path(log_path, sizeof(log_path), path, suffix) == -1)
		return -1;
	memcpy(log, bb, sizeof(log));
	put_le32(log + REGF_BB_FILE_TYPE, REGF_FILE_LOG_OLD);
	regf_checksum_set(log);
	return write_file(log_path, log, sizeof(log));
}

/*
 * Make the hive look like Windows stopped in the middle of a write: the
 * secondary sequence number lags the primary by one (checksum kept
 * valid), and OUT.LOG1 / OUT.LOG2 exist beside it.  The logs are only a
 * base block copy; they hold nothing to recover.
 */
static int
mark_dirty(const char *path)
{
	unsigned char bb[REGF_BASE_BLOCK];
	char log_path[PATH_MAX];
	uint32_t primary;
	ssize_t n;
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd == -1) {
		warn("%s", path);
		return -1;
	}
	if (read_base_block(fd, path, bb) == -1) {
		(void)close(fd);
		return -1;
	}
	primary = le32(bb + REGF_BB_SEQ1);
	if (primary == 0) {
		warnx("%s: primary sequence number is 0", path);
		(void)close(fd);
		return -1;
	}
	put_le32(bb + REGF_BB_SEQ2, primary - 1);
	regf_checksum_set(bb);
	n = pwrite(fd, bb, REGF_BASE_BLOCK, 0);
	if (n != REGF_BASE_BLOCK) {
		if (n == -1)
			warn("write %s", path);
		else
			warnx("write %s: short write", path);
		(void)close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		warn("close %s", path);
		return -1;
	}

	if (write_log_header(path, ".LOG1", bb) == -1)
		return -1;
	if (write_log_header(path, ".LOG2", bb) == -1) {
		if (join_path(log_path, sizeof(log_path), path, ".LOG1") == 0)
			(void)unlink(log_path);
		return -1;
	}
	return 0;
}

static const struct kind *
find_kind(const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(kinds); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

static int
make_one(const struct kind *k, const char *path, int dirty)
{
	if (create_hive(path, k->identity, k->build, k->options, 0) == -1)
		return -1;
	if (dirty && mark_dirty(path) == -1) {
		(void)unlink(path);
		return -1;
	}
	return 0;
}

static int
make_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0755) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	warn("mkdir %s", path);
	return -1;
}

static const struct tree *
find_tree(const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(trees); i++)
		if (strcmp(trees[i].name, name) == 0)
			return &trees[i];
	return NULL;
}

/* Append "/name" to the path in `buf`. */
static int
append_component(char *buf, size_t size, const char *name)
{
	size_t len = strlen(buf);
	int n;

	n = snprintf(buf + len, size - len, "/%s", name);
	if (n < 0 || (size_t)n >= size - len) {
		buf[len] = '\0';
		warnx("path too long: %s/%s", buf, name);
		return -1;
	}
	return 0;
}

/* DIR/dirs[0]/.../dirs[n-1]/file, of kind `kind`, making the directories
 * as needed. */
static int
make_in(const char *dir, const char *const *dirs, size_t n, const char *file,
	const char *kind, int dirty)
{
	const struct kind *k = find_kind(kind);
	char path[PATH_MAX];
	size_t i;

	if (k == NULL) {
		warnx("%s: kind table is missing an entry", kind);
		return -1;
	}
	if (join_path(path, sizeof(path), dir, "") == -1 ||
	    make_dir(path) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (append_component(path, sizeof(path), dirs[i]) == -1 ||
		    make_dir(path) == -1)
			return -1;
	if (append_component(path, sizeof(path), file) == -1)
		return -1;
	return make_one(k, path, dirty);
}

/* The user's classes are written clean: --dirty is for the config
 * directory's hives. */
static int
make_tree(const struct tree *t, const char *dir, int dirty)
{
	if (make_in(dir, t->dirs, NELEM(t->dirs), t->software_file,
	    t->software_kind, dirty) == -1 ||
	    make_in(dir, t->dirs, NELEM(t->dirs), t->system_file,
	    t->system_kind, dirty) == -1 ||
	    make_in(dir, t->user_dirs, NELEM(t->user_dirs), t->usrclass_file,
	    "usrclass", 0) == -1)
		return -1;
	return 0;
}

static int
parse_mib(const char *s, unsigned long *mibp)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9') {
		warnx("size must be a number of MiB: %s", s);
		return -1;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > BIG_MAX_MIB) {
		warnx("size must be 1 to %d MiB: %s", BIG_MAX_MIB, s);
		return -1;
	}
	*mibp = v;
	return 0;
}

static int
make_big(const char *path, const char *mib_arg, int dirty)
{
	struct padding pad = { 0, 0 };
	struct big_options b;
	unsigned long mib;

	if (parse_mib(mib_arg, &mib) == -1)
		return -1;
	b.target = (uint64_t)mib << 20;
	b.pad = &pad;

	/* Padding overshoots by ~6% (slack in each bin); leave room for it. */
	if (create_hive(path, &software_win10, build_big, &b,
	    b.target + b.target / 8) == -1)
		return -1;
	if (top_up(path, &pad, b.target) == -1 ||
	    (dirty && mark_dirty(path) == -1)) {
		(void)unlink(path);
		return -1;
	}
	return 0;
}

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: mkhive [--dirty] KIND OUTPUT\n"
	    "       mkhive [--dirty] TREE DIR\n"
	    "       mkhive [--dirty] big OUTPUT MIB\n"
	    "kinds:");
	for (i = 0; i < NELEM(kinds); i++)
		fprintf(fp, " %s", kinds[i].name);
	fprintf(fp, "\ntrees:");
	for (i = 0; i < NELEM(trees); i++)
		fprintf(fp, " %s", trees[i].name);
	fprintf(fp, "\n");
}

int
main(int argc, char *argv[])
{
	const struct kind *k;
	const struct tree *t;
	const char *kind, *out;
	int argi = 1, dirty = 0, nargs;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argi < argc && strcmp(argv[argi], "--dirty") == 0) {
		dirty = 1;
		argi++;
	}
	nargs = argc - argi;
	if (nargs < 2) {
		usage(stderr);
		return 2;
	}
	kind = argv[argi];
	out = argv[argi + 1];
	if (*out == '\0') {
		warnx("empty output path");
		return 2;
	}

	if (strcmp(kind, "big") == 0) {
		if (nargs != 3) {
			usage(stderr);
			return 2;
		}
		return make_big(out, argv[argi + 2], dirty) == 0 ? 0 : 1;
	}
	if (nargs != 2) {
		usage(stderr);
		return 2;
	}
	t = find_tree(kind);
	if (t != NULL)
		return make_tree(t, out, dirty) == 0 ? 0 : 1;
	k = find_kind(kind);
	if (k == NULL) {
		warnx("unknown kind: %s", kind);
		usage(stderr);
		return 2;
	}
	return make_one(k, out, dirty) == 0 ? 0 : 1;
}
