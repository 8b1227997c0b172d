/// The paths of `bench serve`'s control API, which the load host's ``RemoteRunServer`` asks
/// and the serving host's ``RunControl`` answers (through one ``ControlRoute`` each).
///
/// | request | answer |
/// | --- | --- |
/// | `GET /control/clock` | ``ClockReading``: the server's monotonic clock and boot ID |
/// | `POST /control/run/open`, body ``RunRequest`` | ``RunTicket``: opens the run, or joins the one with that `id` |
/// | `POST /control/run/ready?id=` | ``RunStatus``, when every host is ready: the schedule has started |
/// | `GET /control/run/status?id=` | ``RunStatus``: events published so far |
/// | `POST /control/run/published?id=` | ``PublishingRecord``, when the schedule is over |
/// | `POST /control/run/done?id=` | ``RunStatus``, when every host is done: the streams are ended |
/// | `GET /control/run/result?id=` | ``ServerCounts``, when every connection has closed |
enum ControlPath: String, CaseIterable, Sendable {
    case clock = "/control/clock"
    case open = "/control/run/open"
    case ready = "/control/run/ready"
    case status = "/control/run/status"
    case published = "/control/run/published"
    case done = "/control/run/done"
    case result = "/control/run/result"
}
