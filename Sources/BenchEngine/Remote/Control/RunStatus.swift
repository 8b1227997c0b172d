/// Where a hosted run is: whether its schedule has started, and how many events it has published.
struct RunStatus: Codable {
    var started: Bool
    var published: Int
}
