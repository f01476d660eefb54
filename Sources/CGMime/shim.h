#include <gmime/gmime.h>

// GMime's type-check macros expand to casts Swift cannot import; these say the same thing.
static inline int relais_is_message_part(GMimeObject *object) { return GMIME_IS_MESSAGE_PART(object); }
static inline int relais_is_part(GMimeObject *object) { return GMIME_IS_PART(object); }
static inline int relais_is_multipart(GMimeObject *object) { return GMIME_IS_MULTIPART(object); }
static inline GMimePart *relais_as_part(GMimeObject *object) { return GMIME_PART(object); }
