// Name resolution: normalised exact match, then name plus dose/form text, then suggestions.
#include "resolver.hpp"

#include <algorithm>
#include <array>
#include <tuple>
#include <unordered_map>

#include "detail/edit_distance.hpp"

namespace combocheck {

namespace {

std::string_view trim(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && space(s.back()))
        s.remove_suffix(1);
    return s;
}

// Words that start dose, form or salt text after a name ("tramadol ER", "sertraline tablets",
// "metoprolol succinate"): the name before them is the ingredient.
// clang-format off
constexpr std::array<std::string_view, 70> kFormWords{
    "mg", "mcg", "ug", "g", "ml", "iu", "units", "unit", "tablet", "tablets", "tab", "tabs",
    "capsule", "capsules", "cap", "caps", "er", "xr", "sr", "cr", "xl", "la", "dr", "ir", "oral",
    "solution", "suspension", "syrup", "injection", "inj", "patch", "cream", "gel", "drops",
    "spray", "daily", "once", "twice", "prn", "od", "hydrochloride", "hcl", "hydrobromide", "hbr",
    "sodium", "potassium", "calcium", "magnesium", "succinate", "tartrate", "bitartrate",
    "besylate", "maleate", "fumarate", "citrate", "sulfate", "sulphate", "mesylate", "acetate",
    "phosphate", "monohydrate", "dihydrate", "extract", "tincture", "powder", "softgel",
    "softgels", "gummy", "gummies", "liquid"};
// clang-format on

bool starts_dose_or_form(std::string_view word) {
    if (word.empty()) return false;
    if (word.front() == '(' || word.front() == '[' || word.front() == '-' || word.front() == ',') {
        return true;
    }
    if (std::any_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return true;
    }
    while (!word.empty() && (word.back() == '.' || word.back() == ',')) {
        word.remove_suffix(1);
    }
    const auto same_ignoring_case = [word](std::string_view form_word) {
        return std::equal(
            word.begin(), word.end(), form_word.begin(), form_word.end(),
            [](char c, char lower) { return (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) == lower; });
    };
    return std::any_of(kFormWords.begin(), kFormWords.end(), same_ignoring_case);
}

// Splits "rxnorm:36437" style codes; the scheme is case-insensitive.
bool is_code(std::string_view s, std::string_view scheme) {
    if (s.size() <= scheme.size() || s[scheme.size()] != ':') return false;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        const char c = s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i];
        if (c != scheme[i]) return false;
    }
    return true;
}

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

constexpr std::size_t kMaxCounted = 0xFFFF;  // no ByteCounts bucket can overflow

}  // namespace

const Resolver::SuggestionTables& Resolver::tables() const {
    std::call_once(tables_built_, [this] {
        for (const auto& [name, entry] : kb_.name_index()) {
            if (entry.kind == NameKind::rxnorm || entry.kind == NameKind::atc) continue;
            SuggestableName s{name, &entry, {}};
            if (name.size() <= kMaxCounted) {
                for (const char c : name)
                    ++s.counts[static_cast<unsigned char>(c) % s.counts.size()];
            }
            tables_.names.push_back(s);
        }
        const auto classes = kb_.classes();
        for (std::size_t i = 0; i < classes.size(); ++i) {
            tables_.class_by_key[normalize_name(classes[i].id)] = i;
            tables_.class_by_key[normalize_name(classes[i].name)] = i;
        }
    });
    return tables_;
}

Resolution Resolver::resolve(std::string_view raw, bool with_suggestions) const {
    Resolution r;
    r.input = sanitize_utf8(trim(raw));
    const std::string_view input = r.input;
    const auto accept = [&](const NameEntry& e, std::string_view detail) {
        r.agent = e.agent;
        r.matched_kind = e.kind;
        r.matched = e.written;
        r.detail = trim(detail);
    };
    const std::string key = normalize_name(input);
    // A code matches exactly or not at all.
    const bool code = is_code(input, "rxnorm") || is_code(input, "atc");
    if (const NameEntry* e = kb_.lookup_name(key)) {
        accept(*e, {});
    } else if (!code) {
        // The longest run of leading words that names an agent, if the rest reads as dose or
        // form text; "vitamin K antagonist" must not become "vitamin K". Word ends are tried
        // from the last to the first.
        for (std::size_t end = input.size(); end-- > 1;) {
            if (!is_blank(input[end]) || is_blank(input[end - 1])) continue;
            const std::string_view rest = trim(input.substr(end));
            const std::string_view first_word = rest.substr(0, rest.find_first_of(" \t"));
            if (!starts_dose_or_form(first_word)) continue;
            if (const NameEntry* e = kb_.lookup_name(normalize_name(input.substr(0, end)))) {
                accept(*e, rest);
                break;
            }
        }
        // "tramadol50mg": a name glued to a dose.
        if (!r.agent) {
            const auto digit = input.find_first_of("0123456789");
            if (digit != std::string_view::npos && digit > 0) {
                if (const NameEntry* e = kb_.lookup_name(normalize_name(input.substr(0, digit)))) {
                    accept(*e, input.substr(digit));
                }
            }
        }
    }
    if (!r.agent && !input.empty() && with_suggestions) {
        r.suggestions = suggest_normalized(key, 3);
        const auto& classes = tables().class_by_key;
        if (const auto it = classes.find(key); it != classes.end()) {
            const Class& c = kb_.classes()[it->second];
            r.hint = "'" + r.input + "' is a class (" + c.name +
                     "); name the agents themselves, e.g. with `combocheck explain " + c.id + "`";
        }
        // Leading words that name an agent, followed by text that is not dose or form text
        // ("tramadol extended"): not resolved, but the best suggestion. Not when the input
        // names a class ("vitamin K antagonist" is not vitamin K).
        for (std::size_t end = input.find_last_of(" \t");
             r.hint.empty() && end != std::string_view::npos && end > 0;
             end = input.find_last_of(" \t", end - 1)) {
            if (const NameEntry* e = kb_.lookup_name(normalize_name(input.substr(0, end)))) {
                const std::string& name = kb_.agent(e->agent).name;
                std::erase(r.suggestions, name);
                r.suggestions.insert(r.suggestions.begin(), name);
                if (r.suggestions.size() > 3) r.suggestions.resize(3);
                break;
            }
        }
    }
    return r;
}

std::vector<std::string> Resolver::suggest(std::string_view input, std::size_t limit) const {
    return suggest_normalized(normalize_name(input), limit);
}

std::vector<std::string> Resolver::suggest_normalized(std::string_view key,
                                                      std::size_t limit) const {
    if (key.empty() || limit == 0) return {};
    // Allow about one edit in four characters, at least one and at most three.
    const std::size_t bound = std::clamp<std::size_t>(key.size() / 4, 1, 3);
    // One suggestion per agent: its closest name, the generic name winning ties.
    struct Candidate {
        std::size_t distance;
        NameKind kind;
        std::string shown;
    };
    // Each edit changes the byte counts by at most two (a transposition not at all), so names
    // whose counts differ by more than twice the bound are too far without comparing them.
    ByteCounts key_counts{};
    for (const char c : key)
        ++key_counts[static_cast<unsigned char>(c) % key_counts.size()];
    const auto may_be_close = [&](const SuggestableName& s) {
        const std::size_t length_difference =
            s.key.size() > key.size() ? s.key.size() - key.size() : key.size() - s.key.size();
        if (length_difference > bound) return false;
        if (s.key.size() > kMaxCounted || key.size() > kMaxCounted) return true;
        std::size_t difference = 0;
        for (std::size_t b = 0; b < key_counts.size(); ++b) {
            difference += key_counts[b] > s.counts[b] ? key_counts[b] - s.counts[b]
                                                      : s.counts[b] - key_counts[b];
        }
        return difference <= 2 * bound;
    };
    std::unordered_map<std::uint32_t, Candidate> best;
    for (const SuggestableName& s : tables().names) {
        const std::string_view name = s.key;
        const NameEntry& entry = *s.entry;
        std::size_t d = may_be_close(s) ? detail::edit_distance(key, name, bound) : bound + 1;
        // A typed prefix of a longer name ("sertra") is a good suggestion too.
        if (d > bound && key.size() >= 4 && name.compare(0, key.size(), key) == 0) d = bound;
        if (d > bound) continue;
        const Agent& agent = kb_.agent(entry.agent);
        Candidate c{
            d, entry.kind,
            entry.kind == NameKind::name ? agent.name : entry.written + " (" + agent.name + ")"};
        const auto [it, inserted] = best.try_emplace(index_of(entry.agent), c);
        if (!inserted && std::tie(c.distance, c.kind, c.shown) <
                             std::tie(it->second.distance, it->second.kind, it->second.shown)) {
            it->second = c;
        }
    }
    std::vector<Candidate> ranked;
    for (auto& [agent, c] : best)
        ranked.push_back(std::move(c));
    std::sort(ranked.begin(), ranked.end(), [](const Candidate& a, const Candidate& b) {
        return std::tie(a.distance, a.shown) < std::tie(b.distance, b.shown);
    });
    std::vector<std::string> out;
    for (const Candidate& c : ranked) {
        out.push_back(c.shown);
        if (out.size() == limit) break;
    }
    return out;
}

}  // namespace combocheck
