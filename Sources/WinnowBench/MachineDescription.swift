import Foundation
import WinnowSession

/// What a benchmark ran on, printed with its figures: the kernel, the CPU and the vector
/// extensions that matter here, the cores, and the load (the machine is shared: a figure
/// without the load it was measured under cannot be compared).
enum MachineDescription {
    static func current() -> String {
        var parts: [String] = []
        if let release = try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8) {
            parts.append("Linux " + release.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            let lines = cpuinfo.split(separator: "\n")
            if let model = lines.first(where: { $0.hasPrefix("model name") })?.split(separator: ":", maxSplits: 1).last {
                parts.append(model.trimmingCharacters(in: .whitespaces))
            }
            if let flags = lines.first(where: { $0.hasPrefix("flags") })?.split(separator: ":", maxSplits: 1).last {
                let present = Set(flags.split(separator: " ").map(String.init))
                parts.append(["sse4_2", "avx2", "fma", "avx512f"].filter(present.contains).joined(separator: " "))
            }
        }
        parts.append("\(ProcessInfo.processInfo.activeProcessorCount) cores")
        parts.append("load " + load())
        return parts.joined(separator: ", ")
    }

    /// The 1, 5 and 15-minute load averages.
    static func load() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
