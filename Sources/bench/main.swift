import BenchCLI
import Foundation

exit(await Bench.main(arguments: Array(CommandLine.arguments.dropFirst())))
