// The knowledge base's derived tables (inherited effects, memberships, name index) and enum names.
#include "knowledge.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstring>

#include "detail/enum_names.hpp"
#include "detail/short_hash.hpp"
#include "graph.hpp"

namespace combocheck {

namespace {

template <typename Enum, std::size_t N>
std::string_view name_in(const std::array<std::string_view, N>& names, Enum value) {
    return names[static_cast<std::size_t>(value)];
}

}  // namespace

using namespace detail;

std::string_view to_string(Severity v) {
    return name_in(kSeverityChoices, v);
}
std::string_view to_string(Evidence v) {
    return name_in(kEvidenceChoices, v);
}
std::string_view to_string(AgentKind v) {
    return name_in(kAgentKindChoices, v);
}
std::string_view to_string(SystemKind v) {
    return name_in(kSystemKindChoices, v);
}
std::string_view to_string(Action v) {
    return name_in(kActionChoices, v);
}
std::string_view to_string(Strength v) {
    return name_in(kStrengthChoices, v);
}
std::string_view to_string(Sensitivity v) {
    return name_in(kSensitivityChoices, v);
}
std::string_view to_string(SourceKind v) {
    return name_in(kSourceKindChoices, v);
}
std::string_view to_string(RuleKind v) {
    return name_in(kRuleKindChoices, v);
}
std::string_view to_string(PkMode v) {
    return name_in(kPkModeChoices, v);
}
std::string_view to_string(NameKind v) {
    return name_in(kNameKindChoices, v);
}

std::optional<Severity> parse_severity(std::string_view text) {
    for (std::size_t i = 0; i < kSeverityChoices.size(); ++i) {
        if (kSeverityChoices[i] == text) return static_cast<Severity>(i);
    }
    return std::nullopt;
}

namespace {

// ASCII folding of U+00C0..U+00FF; '\0' drops the character, '*' marks a two-letter folding.
constexpr std::string_view kLatin1{
    "aaaaaa*ceeeeiiiidnooooo\0ouuuuy**aaaaaa*ceeeeiiiidnooooo\0ouuuuy*y", 64};
// U+0100..U+017F, in upper/lower pairs.
constexpr std::string_view kLatinExtendedA =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkkllllllllllnnnnnnnnnoooooo**rrrrrr"
    "ssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
static_assert(kLatinExtendedA.size() == 0x80);

std::string_view two_letter_folding(char32_t c) {
    switch (c) {
        case 0xC6:
        case 0xE6:
            return "ae";
        case 0xDE:
        case 0xFE:
            return "th";
        case 0xDF:
            return "ss";
        case 0x132:
        case 0x133:
            return "ij";
        case 0x152:
        case 0x153:
            return "oe";
        default:
            return "";
    }
}

// Decodes one UTF-8 sequence at text[i]; returns the code point and advances i. Invalid bytes
// decode to themselves (as U+0080..U+00FF would be wrong) and are kept as opaque letters.
char32_t decode_utf8(std::string_view text, std::size_t& i, std::size_t& length) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t n = lead < 0x80           ? 1
                    : (lead >> 5) == 0x6  ? 2
                    : (lead >> 4) == 0xE  ? 3
                    : (lead >> 3) == 0x1E ? 4
                                          : 0;
    if (n == 0 || i + n > text.size()) {
        length = 1;
        return 0xFFFD;
    }
    char32_t c = n == 1 ? lead : lead & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) {
            length = 1;
            return 0xFFFD;
        }
        c = (c << 6) | (byte(i + k) & 0x3F);
    }
    length = n;
    return c;
}

bool is_unicode_punctuation(char32_t c) {
    return c == 0xA0 || c == 0xAD || c == 0xAE || c == 0xA9 || c == 0xB7 || c == 0x2122 ||
           (c >= 0x2000 && c <= 0x206F);  // spaces, dashes, quotes, bullets
}

// The key of each ASCII byte: lower-case letters and digits as they are, upper-case letters
// lowered, the rest (spaces, punctuation) nothing ('\0').
constexpr std::array<char, 0x80> kAsciiKey = [] {
    std::array<char, 0x80> key{};
    for (char c = '0'; c <= '9'; ++c)
        key[static_cast<std::size_t>(c)] = c;
    for (char c = 'a'; c <= 'z'; ++c) {
        key[static_cast<std::size_t>(c)] = c;
        key[static_cast<std::size_t>(c - 'a' + 'A')] = c;
    }
    return key;
}();

// Writes the key of `name` from `out` on and returns its end. The key is never longer than the
// name: an ASCII byte gives at most itself, a longer UTF-8 sequence at most two letters or
// itself, an invalid byte nothing. With kLengths, lengths[i] (i up to name.size()) is the key's
// length after the name's first i bytes (before the character that starts at or spans byte i).
template <bool kLengths>
char* write_key(std::string_view name, char* const out, std::uint32_t* const lengths) {
    char* p = out;
    const auto length_here = [&p, out] { return static_cast<std::uint32_t>(p - out); };
    const auto put_ascii = [&p](unsigned char a) {
        const char k = kAsciiKey[a];
        *p = k;
        p += k != 0;
    };
    for (std::size_t i = 0; i < name.size();) {
        // ASCII, by far the most common, needs no decoding: a run of it is one table look-up a
        // byte.
        for (; i < name.size(); ++i) {
            const auto a = static_cast<unsigned char>(name[i]);
            if (a >= 0x80) break;
            if constexpr (kLengths) lengths[i] = length_here();
            put_ascii(a);
        }
        if (i == name.size()) break;
        std::size_t length = 1;
        const std::size_t start = i;
        const char32_t c = decode_utf8(name, i, length);
        if constexpr (kLengths) std::fill_n(lengths + start, length, length_here());
        i += length;
        if (c < 0x80) {  // an overlong form of an ASCII character
            put_ascii(static_cast<unsigned char>(c));
            continue;
        }
        char folded = 0;
        if (c >= 0xC0 && c <= 0xFF) folded = kLatin1[c - 0xC0];
        if (c >= 0x100 && c <= 0x17F) folded = kLatinExtendedA[c - 0x100];
        if (folded == '*') {
            const std::string_view two = two_letter_folding(c);
            p = std::copy(two.begin(), two.end(), p);
        } else if (folded != 0) {
            *p++ = folded;
        } else if (c == 0xD7 || c == 0xF7 || is_unicode_punctuation(c) || c == 0xFFFD ||
                   (c >= 0x80 && c < 0xC0)) {
            // symbols and punctuation carry no letters
        } else {
            p = std::copy_n(name.data() + start, length, p);  // other scripts: kept as written
        }
    }
    if constexpr (kLengths) lengths[name.size()] = length_here();
    return p;
}

}  // namespace

std::string normalize_name(std::string_view name) {
    std::string key(name.size(), '\0');
    key.resize(static_cast<std::size_t>(write_key<false>(name, key.data(), nullptr) - key.data()));
    return key;
}

void NameKey::assign(std::string_view name) {
    if (buffer_.size() < name.size()) buffer_.resize(name.size());
    if (lengths_.size() < name.size() + 1) lengths_.resize(name.size() + 1);
    size_ = name.size();
    write_key<true>(name, buffer_.data(), lengths_.data());
}

namespace {

// Eight bytes from `at` on, in the machine's order.
std::uint64_t load_word(const char* at) {
    std::uint64_t word = 0;
    std::memcpy(&word, at, sizeof word);
    return word;
}

bool is_ascii(std::string_view text) {
    // Eight bytes at a time: no byte of any has its top bit set.
    std::uint64_t bits = 0;
    std::size_t i = 0;
    for (; i + 8 <= text.size(); i += 8)
        bits |= load_word(text.data() + i);
    for (; i < text.size(); ++i)
        bits |= static_cast<unsigned char>(text[i]);
    return (bits & 0x8080808080808080u) == 0;
}

}  // namespace

std::string sanitize_utf8(std::string_view text) {
    std::string out;
    sanitize_utf8(text, out);
    return out;
}

void sanitize_utf8(std::string_view text, std::string& out) {
    // Plain ASCII, the common case, is valid as it is.
    if (is_ascii(text)) {
        out.assign(text);
        return;
    }
    out.clear();
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        std::size_t length = 1;
        const char32_t c = decode_utf8(text, i, length);
        const bool invalid = c == 0xFFFD && text.substr(i, 3) != "\xEF\xBF\xBD";
        // Overlong forms and surrogates are invalid too.
        const bool overlong = (length == 2 && c < 0x80) || (length == 3 && c < 0x800) ||
                              (length == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
                              (c >= 0xD800 && c <= 0xDFFF);
        out += invalid || overlong ? std::string_view("\xEF\xBF\xBD") : text.substr(i, length);
        i += length;
    }
}

KnowledgeBase::KnowledgeBase(KnowledgeData data) : data_(std::move(data)) {
    static std::atomic<std::uint64_t> made{0};
    serial_ = ++made;
    for (std::uint32_t i = 0; i < data_.agents.size(); ++i) {
        agent_ids_.emplace(data_.agents[i].id, AgentId{i});
    }
    for (std::uint32_t i = 0; i < data_.classes.size(); ++i) {
        class_ids_.emplace(data_.classes[i].id, ClassId{i});
    }
    for (std::uint32_t i = 0; i < data_.systems.size(); ++i) {
        system_ids_.emplace(data_.systems[i].id, SystemId{i});
    }
    for (std::uint32_t i = 0; i < data_.rules.size(); ++i) {
        rule_ids_.emplace(data_.rules[i].id, RuleId{i});
    }
    for (std::uint32_t i = 0; i < data_.risks.size(); ++i) {
        risk_ids_.emplace(data_.risks[i].id, RiskId{i});
    }

    children_.resize(data_.classes.size());
    for (std::uint32_t i = 0; i < data_.classes.size(); ++i) {
        for (const ClassId parent : data_.classes[i].parents) {
            children_[index_of(parent)].push_back(ClassId{i});
        }
    }

    members_.resize(data_.classes.size());
    ancestors_.resize(data_.agents.size());
    effects_.resize(data_.agents.size());
    for (std::uint32_t a = 0; a < data_.agents.size(); ++a) {
        const Agent& agent = data_.agents[a];
        auto& effects = effects_[a];
        const auto has = [&](const Effect& e) {
            return std::any_of(effects.begin(), effects.end(), [&](const AgentEffect& x) {
                return x.effect->system == e.system && x.effect->action == e.action;
            });
        };
        for (const Effect& e : agent.effects)
            effects.push_back({&e, {}});

        // Breadth-first over the class hierarchy, so that the nearest class's effect wins.
        std::vector<std::vector<ClassId>> frontier;
        for (const ClassId c : agent.classes)
            frontier.push_back({c});
        std::vector<ClassId>& seen = ancestors_[a];
        while (!frontier.empty()) {
            std::vector<std::vector<ClassId>> next;
            for (auto& chain : frontier) {
                const ClassId c = chain.back();
                if (std::find(seen.begin(), seen.end(), c) != seen.end()) continue;
                seen.push_back(c);
                for (const Effect& e : data_.classes[index_of(c)].effects) {
                    if (!has(e)) effects.push_back({&e, chain});
                }
                for (const ClassId parent : data_.classes[index_of(c)].parents) {
                    auto longer = chain;
                    longer.push_back(parent);
                    next.push_back(std::move(longer));
                }
            }
            frontier = std::move(next);
        }
        std::sort(seen.begin(), seen.end());
        for (const ClassId c : seen)
            members_[index_of(c)].push_back(AgentId{a});

        const auto add_name = [&](const std::string& key, NameKind kind, const std::string& w) {
            if (!key.empty()) names_.try_emplace(key, NameEntry{AgentId{a}, kind, w});
        };
        add_name(normalize_name(agent.name), NameKind::name, agent.name);
        add_name(normalize_name(agent.id), NameKind::name, agent.name);
        for (const auto& s : agent.synonyms)
            add_name(normalize_name(s), NameKind::synonym, s);
        for (const auto& s : agent.brands)
            add_name(normalize_name(s), NameKind::brand, s);
        for (const auto& s : agent.abbreviations) {
            add_name(normalize_name(s), NameKind::abbreviation, s);
        }
        if (!agent.codes.rxnorm.empty()) {
            add_name(normalize_name("rxnorm:" + agent.codes.rxnorm), NameKind::rxnorm,
                     "rxnorm:" + agent.codes.rxnorm);
        }
        for (const auto& atc : agent.codes.atc) {
            add_name(normalize_name("atc:" + atc), NameKind::atc, "atc:" + atc);
        }
    }
    name_slots_.resize(std::bit_ceil(2 * names_.size()));
    const std::size_t mask = name_slots_.size() - 1;
    for (const auto& name : names_) {
        const std::uint64_t hash = detail::short_hash(name.first);
        std::size_t slot = hash & mask;
        while (name_slots_[slot].name != nullptr)
            slot = (slot + 1) & mask;
        name_slots_[slot] = {static_cast<std::uint32_t>(hash >> 32),
                             static_cast<std::uint32_t>(name.first.size()), &name};
    }
    graph_ = std::make_unique<KnowledgeGraph>(*this);
}

KnowledgeBase::KnowledgeBase(KnowledgeBase&&) noexcept = default;
KnowledgeBase& KnowledgeBase::operator=(KnowledgeBase&&) noexcept = default;
KnowledgeBase::~KnowledgeBase() = default;

namespace {
template <typename Id, typename Map>
std::optional<Id> find_in(const Map& map, std::string_view key) {
    const auto it = map.find(key);
    if (it == map.end()) return std::nullopt;
    return it->second;
}
}  // namespace

std::optional<AgentId> KnowledgeBase::find_agent(std::string_view id) const {
    return find_in<AgentId>(agent_ids_, id);
}
std::optional<ClassId> KnowledgeBase::find_class(std::string_view id) const {
    return find_in<ClassId>(class_ids_, id);
}
std::optional<SystemId> KnowledgeBase::find_system(std::string_view id) const {
    return find_in<SystemId>(system_ids_, id);
}
std::optional<RuleId> KnowledgeBase::find_rule(std::string_view id) const {
    return find_in<RuleId>(rule_ids_, id);
}
std::optional<RiskId> KnowledgeBase::find_risk(std::string_view id) const {
    return find_in<RiskId>(risk_ids_, id);
}

bool KnowledgeBase::is_member(AgentId agent, ClassId klass) const {
    const auto& classes = ancestors_[index_of(agent)];
    return std::binary_search(classes.begin(), classes.end(), klass);
}

const NameEntry* KnowledgeBase::lookup_name(std::string_view normalized) const {
    if (name_slots_.empty()) return nullptr;  // moved from
    const std::uint64_t hash = detail::short_hash(normalized);
    const auto high = static_cast<std::uint32_t>(hash >> 32);
    const std::size_t mask = name_slots_.size() - 1;
    // The table is at most half full: the probe ends at an empty slot.
    for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
        const NameSlot& s = name_slots_[slot];
        if (s.name == nullptr) return nullptr;
        if (s.hash == high && s.size == normalized.size() && s.name->first == normalized) {
            return &s.name->second;
        }
    }
}

std::string KnowledgeBase::position_text(const Position& p) const {
    if (p.file >= data_.files.size()) return {};
    return data_.files[p.file] + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
}

}  // namespace combocheck
