import Testing

extension Tag {
    /// Tests that run the built `ntk-dynamics` executable as a child process (ToolProcess).
    @Tag static var endToEnd: Self
}
