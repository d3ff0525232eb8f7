// ISO 3166-1 alpha-2 country code validation, names and "did you mean" suggestions.
#pragma once

#include <optional>
#include <string_view>

namespace edict::rt {

// True exactly for the 249 officially assigned ISO 3166-1 alpha-2 codes plus
// "XK" (Kosovo). Case-sensitive: codes must be uppercase.
bool IsIsoCountry(std::string_view code);

// English short name of a valid code (UTF-8); empty if the code is unknown.
std::string_view CountryName(std::string_view code);

// For a code that is not valid, a likely intended valid code: the uppercase
// form ("us" -> "US") or the alpha-2 code for a common alpha-3 code or
// nickname ("USA" -> "US", "UK" -> "GB"). nullopt if nothing plausible.
std::optional<std::string_view> SuggestCountry(std::string_view bad);

// Dense indexes for the backends: 0 .. CountryCount()-1 in code order;
// CountryIndex is -1 for a code that is not in the table.
int CountryIndex(std::string_view code);
std::string_view CountryCode(int index);
int CountryCount();

}  // namespace edict::rt
