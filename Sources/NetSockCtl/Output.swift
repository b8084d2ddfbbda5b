#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
public import NetSockJSON

/// How a command prints what the daemon returned: the human view on a terminal,
/// the daemon's objects unchanged with `--json`, one line per object with
/// `--jsonl`, or one field with `-g`.
struct Output {
    let options: GlobalOptions
    let terminal = Terminal.current

    /// Colours only for a person: stdout is a terminal and `NO_COLOR` is unset (no-color.org).
    var colors: Bool { self.terminal.stdoutIsTTY && getenv("NO_COLOR") == nil }

    /// Prints `value` as asked; `human` makes the human lines only when they are needed.
    func show(_ value: JSONValue, human: () -> [String]) throws {
        if let field = self.options.get {
            let values = FieldPath(field).values(in: value)
            guard !values.isEmpty else {
                self.terminal.err("netsockctl: no field \(field) in the result")
                throw ExitCode(ExitStatus.notFound.rawValue)
            }
            for item in values { self.terminal.out(Self.plain(item)) }
        } else if self.options.jsonl {
            for item in value.arrayValue ?? [value] { self.terminal.out(JSONCodec.encodeString(item)) }
        } else if self.options.json {
            self.terminal.json(value)
        } else {
            for line in human() { self.terminal.out(line) }
        }
    }

    /// A scalar as a script wants it: strings unquoted, null empty, the rest as JSON.
    static func plain(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .null: ""
        default: JSONCodec.encodeString(value)
        }
    }

    /// An interface status word, coloured for people: green up, yellow on the way, red down.
    func status(_ word: String) -> String {
        guard self.colors else { return word }
        let code: String
        switch word {
        case "global_up": code = "32"
        case "local_up": code = "36"
        case "connecting": code = "33"
        case "disconnected": code = "31"
        default: return word
        }
        return "\u{1B}[\(code)m\(word)\u{1B}[0m"
    }

    func bold(_ text: String) -> String { self.colors ? "\u{1B}[1m\(text)\u{1B}[0m" : text }

    /// Aligned columns; `style` may colour a cell after its width is measured.
    func table(_ headers: [String], _ rows: [[String]], style: (Int, String) -> String = { $1 }) -> [String] {
        let widths = headers.indices.map { column in ([headers] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String], header: Bool) -> String {
            cells.enumerated().map { index, cell in
                let padding = index == cells.count - 1 ? "" : String(repeating: " ", count: widths[index] - cell.count)
                return (header ? self.bold(cell) : style(index, cell)) + padding
            }.joined(separator: "  ")
        }
        return [line(headers, header: true)] + rows.map { line($0, header: false) }
    }
}

/// A dotted path into a result: `ipv4.address`, `addresses.0`; over an array it
/// applies to every element (`-g name` on a list prints every name).
public struct FieldPath {
    let components: [Substring]

    public init(_ text: String) { self.components = text.split(separator: ".") }

    public func values(in value: JSONValue) -> [JSONValue] {
        var current = [value]
        for component in self.components {
            current = current.flatMap { item -> [JSONValue] in
                if let array = item.arrayValue {
                    if let index = Int(component) { return array.indices.contains(index) ? [array[index]] : [] }
                    return array.compactMap { $0[String(component)] }
                }
                return item[String(component)].map { [$0] } ?? []
            }
        }
        return current
    }
}

extension JSONValue {
    /// Text for a table cell.
    var cell: String {
        switch self {
        case .string(let text): text
        case .null: "-"
        case .bool(let flag): flag ? "yes" : "no"
        default: JSONCodec.encodeString(self)
        }
    }
}
