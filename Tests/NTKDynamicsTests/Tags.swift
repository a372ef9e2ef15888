import Testing

extension Tag {
    /// Runs the built `ntk-dynamics` executable as a child process (ToolProcess).
    @Tag static var endToEnd: Self
}
