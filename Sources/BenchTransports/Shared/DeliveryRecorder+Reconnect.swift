import BenchCore

extension DeliveryRecorder {
    /// Records a reconnect: the error that ended the connection (if any) and one more reconnect.
    public mutating func noteReconnect(after error: (any Error)?) {
        if let error { noteConnectionError(error) }
        reconnects += 1
        noteDisconnected()
    }
}
