/// The MetaLearn version written into checkpoints and printed by `--version`.
enum MetaLearnVersion {
    static let string = "0.1.0"
}
