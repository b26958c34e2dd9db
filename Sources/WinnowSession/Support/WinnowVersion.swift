/// Winnow's version: `winnow --version`, and what an export's manifest records.
package enum WinnowVersion {
    package static let current = "0.1.0"
}
