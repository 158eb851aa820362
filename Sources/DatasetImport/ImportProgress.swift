/// Progress of a long import: called with the number of images finished so
/// far and the total. Importers call it from worker threads, one call at a
/// time (calls are serialised) and with non-decreasing `completed`; the last
/// call has `completed == total`.
public typealias ImportProgress = @Sendable (_ completed: Int, _ total: Int) -> Void
