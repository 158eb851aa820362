import ArgumentParser

/// How `eval` prints its result.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, csv
}
