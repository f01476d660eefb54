#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU, whose headers clash with the ICU copy inside Foundation
   when both are imported into one Swift module. Relais never touches the ICU converter
   fields of xmlCharEncodingHandler (it only holds pointers to the handler), so the headers
   are read as if ICU were off. */
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlreader.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
