/* errno -> text, in musl's words, for the errnos of errtext.h.  Calls
 * down to pack.c (the texts are packed data) and str.c. */
#include <errno.h>
#include "libshmbox.h"
#include "pack.h"

/* a table of 4 bytes an entry: the errno and its text's offset in pack.h */
static const struct errtext {
	unsigned short err, at;
} errtexts[] = {
#define ERR(name, text) { name, PACK_##name },
#include "errtext.h"
#undef ERR
};

const char *err_text(int err, char *buf)
{
	for (size_t i = 0; i < sizeof(errtexts) / sizeof(errtexts[0]); i++)
		if (errtexts[i].err == err) {
			unpack(errtexts[i].at, buf, ERR_TEXT_MAX);
			return buf;
		}
	return str_join_num(buf, ERR_TEXT_MAX, "Unknown error ", NULL, err, NULL);
}
