/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "error.h"

#include "autoprofile.h"

int
auto_choose(const struct hp_image *im, const char *names[AUTO_MAX],
	    size_t *n, char *why, size_t whylen, struct hp_err *e)
{
	const char *os;
	long build;
	char *end;
	int net4 = image_has_dotnet45(im);

	*n = 0;
	if (im->build == NULL)
		return hp_err_set(e, HP_R_UNSUPPORTED_OS,
		    "--profile auto needs the SOFTWARE hive's CurrentBuild, "
		    "and this image has none");
	build = strtol(im->build, &end, 10);
	if (*end != '\0' || build < 7601)
		return hp_err_set(e, HP_R_UNSUPPORTED_OS,
		    "--profile auto knows Windows 7 / Server 2008 R2 (build 7601) "
		    "and later; this image is build %s", im->build);
	if (build < 9200) {
		/* Schannel's TLS 1.2 client is off until SYSTEM says so, and
		 * WinHTTP's default protocols leave TLS 1.2 out. */
		names[(*n)++] = "schannel-tls12";
		names[(*n)++] = "winhttp-tls12";
		os = "Windows 7 / Server 2008 R2: Schannel TLS 1.2 off by default, "
		    "WinHTTP defaults without TLS 1.2";
	} else if (build < 9600) {
		names[(*n)++] = "winhttp-tls12";
		os = "Windows 8 / Server 2012: WinHTTP defaults without TLS 1.2";
	} else {
		os = "Windows 8.1 / Server 2012 R2 or later: Schannel and WinHTTP "
		    "already use TLS 1.2";
	}
	if (net4)
		names[(*n)++] = "net4-tls12";
	if (im->dotnet35)
		names[(*n)++] = "net35-tls12";
	snprintf(why, whylen, "build %s, %s; %s%s", im->build, os,
	    net4 ? ".NET 4.5+ installed" : "no .NET 4.5+ (net4-tls12 not needed)",
	    im->dotnet35 ? ", .NET 3.5 installed" : "");
	text_escape_in_place(why, whylen);	/* the build is the hive's */
	return 0;
}
