#pragma once
#include <string>

#include "reconciler/cli/commands.hpp"

namespace plumb::cli {

// True if stdout / stderr / stdin is a terminal.
bool stdout_is_tty();
bool stderr_is_tty();
bool stdin_is_tty();

// Colour on stdout only on a terminal, and never with --no-color / NO_COLOR or TERM=dumb.
bool use_colour(const GlobalOptions& global);

// Configures spdlog's default logger on stderr: human text on a TTY (or --log-format text),
// JSON lines otherwise (one object per line: ts, level, msg and the fields of the message).
void setup_logging(const GlobalOptions& global);

// Prints "plumb: error: <message>" on stderr (red on a terminal) and returns k_exit_error.
int fail(const std::string& message);

// Writes `content` to `path` atomically (temp file + rename). Returns "" or an error message.
std::string write_file_atomically(const std::string& path, const std::string& content);

// Reads a whole (small) file; nullopt-like empty + error message on failure. Trailing newlines
// are trimmed (secret files often end with one).
bool read_secret_file(const std::string& path, std::string& out, std::string& error);

}  // namespace plumb::cli
