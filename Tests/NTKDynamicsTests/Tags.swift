import Testing

extension Tag { @Tag static var endToEnd: Self }
