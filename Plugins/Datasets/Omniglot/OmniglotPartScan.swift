import DatasetImport

/// The listing of one part of Omniglot (`images_background` or
/// `images_evaluation`) from a zip or a folder, grouped into characters and
/// checked against `OmniglotLayout`, without reading any image.
struct OmniglotPartScan: Sendable {
    /// One character folder and its drawings.
    struct Character: Sendable {
        var alphabet: String
        var name: String
        /// Indices into the source's `files`, in path order.
        var files: [Int]
    }

    let part: OmniglotLayout.Part
    let source: ImageSource
    /// How the part is named in messages: `images_background.zip` or `images_background/`.
    let label: String
    /// Characters found, alphabets in byte order, characters in byte order.
    private(set) var characters: [Character] = []
    /// Everything that differs from the official layout, one message each.
    private(set) var problems: [String] = []

    init(part: OmniglotLayout.Part, source: ImageSource, label: String) {
        self.part = part
        self.source = source
        self.label = label
        scan()
    }

    private mutating func scan() {
        var grouped: [String: [String: [Int]]] = [:]
        for (index, path) in source.files.enumerated() {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }), parts[2].lowercased().hasSuffix(".png") else {
                problems.append("\(label): unexpected file '\(path)' (expected <Alphabet>/characterNN/<drawing>.png)")
                continue
            }
            grouped[String(parts[0]), default: [:]][String(parts[1]), default: []].append(index)
        }
        if source.files.isEmpty {
            problems.append("\(label): no files\(isZip ? " under \(part.folderName)/" : "")")
        }

        let expected = Dictionary(uniqueKeysWithValues: part.alphabets.map { ($0.name, $0.characters) })
        let found = Set(grouped.keys)
        let missing = part.alphabets.map(\.name).filter { !found.contains($0) }
        let unexpected = found.filter { expected[$0] == nil }.sorted(by: ImageSource.byteOrder)
        if !missing.isEmpty || !unexpected.isEmpty {
            var detail: [String] = []
            if !missing.isEmpty { detail.append("missing: " + missing.joined(separator: ", ")) }
            if !unexpected.isEmpty { detail.append("unexpected: " + unexpected.joined(separator: ", ")) }
            problems.append("\(label): expected \(part.alphabets.count) alphabets, found \(found.count) ("
                            + detail.joined(separator: "; ") + ")")
        }

        for alphabet in found.sorted(by: ImageSource.byteOrder) {
            let folders = grouped[alphabet]!
            if let count = expected[alphabet] {
                let names = (1...count).map(OmniglotLayout.characterName)
                let missingCharacters = names.filter { folders[$0] == nil }
                let unexpectedCharacters = folders.keys.filter { !names.contains($0) }.sorted(by: ImageSource.byteOrder)
                if !missingCharacters.isEmpty || !unexpectedCharacters.isEmpty {
                    var detail: [String] = []
                    if !missingCharacters.isEmpty { detail.append("missing: " + missingCharacters.joined(separator: ", ")) }
                    if !unexpectedCharacters.isEmpty {
                        detail.append("unexpected: " + unexpectedCharacters.joined(separator: ", "))
                    }
                    problems.append("\(label): \(alphabet): expected \(count) characters, found \(folders.count) ("
                                    + detail.joined(separator: "; ") + ")")
                }
            }
            for name in folders.keys.sorted(by: ImageSource.byteOrder) {
                let files = folders[name]!
                if files.count != OmniglotLayout.drawingsPerCharacter {
                    problems.append("\(label): \(alphabet)/\(name): expected \(OmniglotLayout.drawingsPerCharacter) "
                                    + "drawings, found \(files.count)")
                }
                characters.append(Character(alphabet: alphabet, name: name, files: files))
            }
        }
    }

    /// Leaves an alphabet out of the import (used when it appears in both parts).
    mutating func dropAlphabet(_ alphabet: String) {
        characters.removeAll { $0.alphabet == alphabet }
    }

    private var isZip: Bool {
        if case .zipArchive = source.kind { return true }
        return false
    }

    /// The path of a file as it is inside the official archive, such as
    /// `images_background/Greek/character01/0394_01.png`.
    func archivePath(ofFileAt index: Int) -> String {
        "\(part.folderName)/\(source.files[index])"
    }
}
