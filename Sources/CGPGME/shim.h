// GPGME (Debian: libgpgme-dev), for encrypting bureau files with the bureau's public key.
#include <gpgme.h>
