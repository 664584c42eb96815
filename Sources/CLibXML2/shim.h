#ifndef ADHOCD_CLIBXML2_SHIM_H
#define ADHOCD_CLIBXML2_SHIM_H
// ICU types in libxml2's headers clash with Foundation's copy of ICU on this toolchain
// ("'UErrorCode' has different definitions in different modules"); the parser never uses ICU.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#endif
