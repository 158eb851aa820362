/// The layout of the official Omniglot release (Lake, Salakhutdinov and
/// Tenenbaum, 2015): two parts, 50 alphabets, 1623 characters named
/// `character01 ...`, 20 drawings (`XXXX_YY.png`, 105 x 105, 1-bit) each.
public enum OmniglotLayout {
    /// One of the two halves of the release.
    public enum Part: String, Sendable, CaseIterable {
        /// `images_background`: 30 alphabets, 964 characters (Lake's training half).
        case background
        /// `images_evaluation`: 20 alphabets, 659 characters (Lake's test half).
        case evaluation

        /// The folder name inside the archive, such as `"images_background"`.
        public var folderName: String { "images_\(rawValue)" }
        /// The official archive's file name, such as `"images_background.zip"`.
        public var archiveName: String { "\(folderName).zip" }
        /// The alphabets of this part with their number of characters, sorted by name.
        public var alphabets: [(name: String, characters: Int)] {
            self == .background ? OmniglotLayout.backgroundAlphabets : OmniglotLayout.evaluationAlphabets
        }
        /// The number of characters in this part.
        public var characterCount: Int { alphabets.reduce(0) { $0 + $1.characters } }
    }

    /// Drawings of every character.
    public static let drawingsPerCharacter = 20
    /// Alphabets in the whole release.
    public static let alphabetCount = 50
    /// Characters in the whole release.
    public static let characterCount = 1623
    /// Side of the original square images, in pixels.
    public static let originalImageSize = 105

    /// `images_background`: 30 alphabets, 964 characters.
    public static let backgroundAlphabets: [(name: String, characters: Int)] = [
        ("Alphabet_of_the_Magi", 20), ("Anglo-Saxon_Futhorc", 29), ("Arcadian", 26), ("Armenian", 41),
        ("Asomtavruli_(Georgian)", 40), ("Balinese", 24), ("Bengali", 46),
        ("Blackfoot_(Canadian_Aboriginal_Syllabics)", 14), ("Braille", 26), ("Burmese_(Myanmar)", 34),
        ("Cyrillic", 33), ("Early_Aramaic", 22), ("Futurama", 26), ("Grantha", 43), ("Greek", 24),
        ("Gujarati", 48), ("Hebrew", 22), ("Inuktitut_(Canadian_Aboriginal_Syllabics)", 16),
        ("Japanese_(hiragana)", 52), ("Japanese_(katakana)", 47), ("Korean", 40), ("Latin", 26),
        ("Malay_(Jawi_-_Arabic)", 40), ("Mkhedruli_(Georgian)", 41), ("N_Ko", 33),
        ("Ojibwe_(Canadian_Aboriginal_Syllabics)", 14), ("Sanskrit", 42), ("Syriac_(Estrangelo)", 23),
        ("Tagalog", 17), ("Tifinagh", 55),
    ]

    /// `images_evaluation`: 20 alphabets, 659 characters.
    public static let evaluationAlphabets: [(name: String, characters: Int)] = [
        ("Angelic", 20), ("Atemayar_Qelisayer", 26), ("Atlantean", 26), ("Aurek-Besh", 26), ("Avesta", 26),
        ("Ge_ez", 26), ("Glagolitic", 45), ("Gurmukhi", 45), ("Kannada", 41), ("Keble", 26), ("Malayalam", 47),
        ("Manipuri", 40), ("Mongolian", 30), ("Old_Church_Slavonic_(Cyrillic)", 45), ("Oriya", 46),
        ("Sylheti", 28), ("Syriac_(Serto)", 23), ("Tengwar", 25), ("Tibetan", 42), ("ULOG", 26),
    ]

    /// The four rotations, in class order, as they appear in class names.
    public static let rotationNames = ["rot000", "rot090", "rot180", "rot270"]

    /// The character folder name for 1-based `number`: `character01`, ..., `character55`.
    public static func characterName(_ number: Int) -> String {
        number < 10 ? "character0\(number)" : "character\(number)"
    }

    /// All 6,492 class names of a complete import, in class order.
    public static func allClassNames() -> [String] {
        var names: [String] = []
        names.reserveCapacity(characterCount * 4)
        for part in Part.allCases {
            for (alphabet, count) in part.alphabets {
                for c in 1...count {
                    for rotation in rotationNames { names.append("\(alphabet)/\(characterName(c))/\(rotation)") }
                }
            }
        }
        return names
    }
}
