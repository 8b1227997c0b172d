import Foundation

// JSON for the sample messages through Foundation's `Codable`, with the field names of
// protobuf's JSON mapping (lowerCamelCase) and its habit of leaving out empty repeated fields,
// so JSON and protobuf carry exactly the same values.

extension Transportbench_User: Codable {
    enum CodingKeys: String, CodingKey { case id, name, email, roles }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        id = try container.decode(Int32.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        email = try container.decode(String.self, forKey: .email)
        roles = try container.decodeIfPresent([String].self, forKey: .roles) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(email, forKey: .email)
        if !roles.isEmpty { try container.encode(roles, forKey: .roles) }
    }
}

extension Transportbench_ChatMessage: Codable {
    enum CodingKeys: String, CodingKey { case room, author, text, sentAtMs }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        room = try container.decode(String.self, forKey: .room)
        author = try container.decode(String.self, forKey: .author)
        text = try container.decode(String.self, forKey: .text)
        sentAtMs = try container.decode(Int64.self, forKey: .sentAtMs)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(room, forKey: .room)
        try container.encode(author, forKey: .author)
        try container.encode(text, forKey: .text)
        try container.encode(sentAtMs, forKey: .sentAtMs)
    }
}

extension Transportbench_StockQuote: Codable {
    enum CodingKeys: String, CodingKey { case symbol, price, volume, changePercent, timestampMs }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        symbol = try container.decode(String.self, forKey: .symbol)
        price = try container.decode(Double.self, forKey: .price)
        volume = try container.decode(Int64.self, forKey: .volume)
        changePercent = try container.decode(Double.self, forKey: .changePercent)
        timestampMs = try container.decode(Int64.self, forKey: .timestampMs)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(symbol, forKey: .symbol)
        try container.encode(price, forKey: .price)
        try container.encode(volume, forKey: .volume)
        try container.encode(changePercent, forKey: .changePercent)
        try container.encode(timestampMs, forKey: .timestampMs)
    }
}

extension Transportbench_SensorReading: Codable {
    enum CodingKeys: String, CodingKey { case sensorId, temperatureCelsius, humidityPercent, batteryMillivolts, timestampMs }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        sensorID = try container.decode(String.self, forKey: .sensorId)
        temperatureCelsius = try container.decode(Double.self, forKey: .temperatureCelsius)
        humidityPercent = try container.decode(Double.self, forKey: .humidityPercent)
        batteryMillivolts = try container.decode(Int32.self, forKey: .batteryMillivolts)
        timestampMs = try container.decode(Int64.self, forKey: .timestampMs)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sensorID, forKey: .sensorId)
        try container.encode(temperatureCelsius, forKey: .temperatureCelsius)
        try container.encode(humidityPercent, forKey: .humidityPercent)
        try container.encode(batteryMillivolts, forKey: .batteryMillivolts)
        try container.encode(timestampMs, forKey: .timestampMs)
    }
}

extension Transportbench_UserPage: Codable {
    enum CodingKeys: String, CodingKey { case users, page, totalPages }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        users = try container.decode([Transportbench_User].self, forKey: .users)
        page = try container.decode(Int32.self, forKey: .page)
        totalPages = try container.decode(Int32.self, forKey: .totalPages)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(users, forKey: .users)
        try container.encode(page, forKey: .page)
        try container.encode(totalPages, forKey: .totalPages)
    }
}
