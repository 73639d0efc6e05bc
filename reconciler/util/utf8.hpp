#pragma once
#include <cstddef>
#include <string_view>

namespace plumb::utf8 {

// Offset of the first byte that is not valid UTF-8 (overlongs, surrogates, > U+10FFFF and NUL
// included), or std::string_view::npos if the whole text is valid.
std::size_t first_invalid_byte(std::string_view text);

inline bool is_valid(std::string_view text) { return first_invalid_byte(text) == std::string_view::npos; }

}  // namespace plumb::utf8
