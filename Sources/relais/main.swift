import Glibc
import RelaisCore

exit(RelaisCommandLine.main(CommandLine.arguments))
