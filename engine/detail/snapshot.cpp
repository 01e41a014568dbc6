// The binary snapshot of KnowledgeData (see snapshot.hpp).
//
// Layout: "CCKBSNAP", u32 format version, u64 payload size, u64 payload hash, then the payload:
// the table sizes (for range checks while reading), then every table. Integers are little-endian
// u32 (u8 for bools, enums and variant indexes), doubles their IEEE bits as u64, strings and
// vectors a u32 count then the items, optionals a u8 flag then the value.
//
// One `fields` function per struct lists its members in encoding order, and the same function
// drives both the Writer and the Reader, so that the two directions cannot drift apart.
#include "snapshot.hpp"

#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "enum_names.hpp"

namespace combocheck::detail {
namespace {

constexpr std::string_view kMagic = "CCKBSNAP";
// Raise when the encoding or the model changes: a blob of another version is refused.
constexpr std::uint32_t kFormatVersion = 1;
constexpr std::size_t kHeaderSize = 8 + 4 + 8 + 8;  // magic, version, payload size, payload hash

// A member added to the model must be encoded below too (and kFormatVersion raised). These sizes,
// checked where they were measured, fail the build on most such changes as a reminder.
#if defined(__GLIBCXX__) && defined(__x86_64__)
static_assert(sizeof(Position) == 12 && sizeof(Source) == 160 && sizeof(System) == 120 &&
                  sizeof(Risk) == 112 && sizeof(Effect) == 136 && sizeof(Class) == 160 &&
                  sizeof(AgentCodes) == 56 && sizeof(Agent) == 328 && sizeof(EffectPattern) == 32 &&
                  sizeof(MatchItem) == 40 && sizeof(Tier) == 16 && sizeof(BurdenRule) == 40 &&
                  sizeof(PharmacokineticRule) == 120 && sizeof(CombinationRule) == 32 &&
                  sizeof(OppositionRule) == 112 && sizeof(DuplicationRule) == 32 &&
                  sizeof(Rule) == 312 && sizeof(KnowledgeData) == 168,
              "the knowledge model changed: update snapshot.cpp and raise kFormatVersion");
#endif

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("knowledge snapshot: " + what);
}

template <std::unsigned_integral T>
T load_le(const char* p) {
    T v = 0;
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(&v, p, sizeof v);
    } else {
        for (std::size_t i = 0; i < sizeof v; ++i)
            v |= static_cast<T>(static_cast<unsigned char>(p[i])) << (8 * i);
    }
    return v;
}

template <std::unsigned_integral T>
void append_le(std::string& out, T v) {
    char bytes[sizeof v];
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(bytes, &v, sizeof v);
    } else {
        for (std::size_t i = 0; i < sizeof v; ++i)
            bytes[i] = static_cast<char>(v >> (8 * i));
    }
    out.append(bytes, sizeof v);
}

// 8 bytes a step, each step a bijection of the state: any one changed word changes the hash.
std::uint64_t hash_bytes(std::string_view bytes) {
    const auto mix = [](std::uint64_t h, std::uint64_t word) {
        h = (h ^ word) * 0x9FB21C651E98DF25u;
        return h ^ (h >> 29);
    };
    std::uint64_t h = 0x9E3779B97F4A7C15u ^ bytes.size();
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8)
        h = mix(h, load_le<std::uint64_t>(bytes.data() + i));
    std::uint64_t tail = 0;
    for (std::size_t k = 0; i + k < bytes.size(); ++k)
        tail |= std::uint64_t{static_cast<unsigned char>(bytes[i + k])} << (8 * k);
    return mix(h, tail);
}

// Ids (4-byte enums) are checked against their table's size; small enums against their values.
template <typename T>
concept IdEnum = std::is_enum_v<T> && sizeof(T) == 4;
template <typename T>
concept SmallEnum = std::is_enum_v<T> && sizeof(T) == 1;
template <typename T>
concept Struct = std::is_class_v<T>;
template <typename S, typename T>
concept Is = std::same_as<std::remove_const_t<S>, T>;

// Value counts of the small enums; an enum missing here reads as invalid (the tests would fail).
template <SmallEnum E>
constexpr std::size_t kEnumCount = 0;
template <>
constexpr std::size_t kEnumCount<Severity> = kSeverityChoices.size();
template <>
constexpr std::size_t kEnumCount<Evidence> = kEvidenceChoices.size();
template <>
constexpr std::size_t kEnumCount<AgentKind> = kAgentKindChoices.size();
template <>
constexpr std::size_t kEnumCount<SystemKind> = kSystemKindChoices.size();
template <>
constexpr std::size_t kEnumCount<Action> = kActionChoices.size();
template <>
constexpr std::size_t kEnumCount<Strength> = kStrengthChoices.size();
template <>
constexpr std::size_t kEnumCount<Sensitivity> = kSensitivityChoices.size();
template <>
constexpr std::size_t kEnumCount<SourceKind> = kSourceKindChoices.size();
template <>
constexpr std::size_t kEnumCount<RuleKind> = kRuleKindChoices.size();
template <>
constexpr std::size_t kEnumCount<PkMode> = kPkModeChoices.size();

// The table sizes, written first: every id read is checked against them.
struct Counts {
    std::uint32_t files = 0, sources = 0, systems = 0, risks = 0, classes = 0, agents = 0;
    bool operator==(const Counts&) const = default;
};

Counts counts_of(const KnowledgeData& d) {
    const auto n = [](const auto& v) { return static_cast<std::uint32_t>(v.size()); };
    return {n(d.files), n(d.sources), n(d.systems), n(d.risks), n(d.classes), n(d.agents)};
}

// The members of each struct, in encoding order. `a` is a Writer (S const) or a Reader.
template <typename A, Is<Counts> S>
void fields(A& a, S& c) {
    a(c.files, c.sources, c.systems, c.risks, c.classes, c.agents);
}
template <typename A, Is<Position> S>
void fields(A& a, S& p) {
    a.file_index(p.file);
    a(p.line, p.column);
}
template <typename A, Is<Source> S>
void fields(A& a, S& s) {
    a(s.id, s.kind, s.title, s.publisher, s.year, s.url, s.position);
}
template <typename A, Is<System> S>
void fields(A& a, S& s) {
    a(s.id, s.name, s.kind, s.description, s.position);
}
template <typename A, Is<Risk> S>
void fields(A& a, S& r) {
    a(r.id, r.name, r.description, r.position);
}
template <typename A, Is<Effect> S>
void fields(A& a, S& e) {
    a(e.system, e.action, e.weight, e.strength, e.sensitivity, e.prodrug, e.mechanism, e.evidence,
      e.sources, e.note, e.position);
}
template <typename A, Is<Class> S>
void fields(A& a, S& c) {
    a(c.id, c.name, c.description, c.parents, c.effects, c.position);
}
template <typename A, Is<AgentCodes> S>
void fields(A& a, S& c) {
    a(c.rxnorm, c.atc);
}
template <typename A, Is<Agent> S>
void fields(A& a, S& g) {
    a(g.id, g.name, g.kind, g.synonyms, g.brands, g.abbreviations, g.codes, g.classes,
      g.narrow_therapeutic_index, g.effects, g.note, g.note_sources, g.position);
}
template <typename A, Is<EffectPattern> S>
void fields(A& a, S& p) {
    a(p.system, p.action, p.min_strength, p.min_weight, p.min_sensitivity);
}
template <typename A, Is<MatchItem> S>
void fields(A& a, S& m) {
    a(m.what);
}
template <typename A, Is<Tier> S>
void fields(A& a, S& t) {
    a(t.min_weight, t.severity);
}
template <typename A, Is<BurdenRule> S>
void fields(A& a, S& r) {
    a(r.system, r.action, r.min_agents, r.tiers);
}
template <typename A, Is<PharmacokineticRule> S>
void fields(A& a, S& r) {
    a(r.mode, r.systems, r.severity, r.narrow_therapeutic_index_raise, r.exposure_scale);
}
template <typename A, Is<CombinationRule> S>
void fields(A& a, S& r) {
    a(r.match, r.severity);
}
template <typename A, Is<OppositionRule> S>
void fields(A& a, S& r) {
    a(r.system, r.severity, r.min_weight, r.raising, r.lowering);
}
template <typename A, Is<DuplicationRule> S>
void fields(A& a, S& r) {
    a(r.classes, r.severity);
}
template <typename A, Is<Rule> S>
void fields(A& a, S& r) {
    a(r.id, r.kind, r.risk, r.title, r.explanation, r.advice, r.evidence, r.sources, r.detail,
      r.position);
}
template <typename A, Is<KnowledgeData> S>
void fields(A& a, S& d) {
    a(d.files, d.sources, d.systems, d.risks, d.classes, d.agents, d.rules);
}

class Writer {
  public:
    std::string out;

    template <typename... Ts>
    void operator()(const Ts&... values) {
        (put(values), ...);
    }
    void file_index(std::uint32_t file) { put(file); }

  private:
    template <std::unsigned_integral T>
    void put(T v) {
        append_le(out, v);
    }
    void put(bool v) { put(std::uint8_t{v}); }
    void put(int v) { put(static_cast<std::uint32_t>(v)); }
    void put(double v) { put(std::bit_cast<std::uint64_t>(v)); }
    void put(const std::string& s) {
        put(static_cast<std::uint32_t>(s.size()));
        out += s;
    }
    template <SmallEnum E>
    void put(E e) {
        put(static_cast<std::uint8_t>(e));
    }
    template <IdEnum E>
    void put(E id) {
        put(index_of(id));
    }
    template <typename T>
    void put(const std::vector<T>& items) {
        put(static_cast<std::uint32_t>(items.size()));
        for (const T& item : items)
            put(item);
    }
    template <typename T, std::size_t N>
    void put(const std::array<T, N>& items) {
        for (const T& item : items)
            put(item);
    }
    template <typename T>
    void put(const std::optional<T>& value) {
        put(value.has_value());
        if (value) put(*value);
    }
    template <typename... Ts>
    void put(const std::variant<Ts...>& value) {
        put(static_cast<std::uint8_t>(value.index()));
        std::visit([this](const auto& alternative) { this->put(alternative); }, value);
    }
    template <Struct S>
    void put(const S& s) {
        fields(*this, s);
    }
};

class Reader {
  public:
    explicit Reader(std::string_view bytes) : p_(bytes.data()), end_(p_ + bytes.size()) {}

    Counts counts;  // set before reading the tables
    bool at_end() const { return p_ == end_; }

    template <typename... Ts>
    void operator()(Ts&... values) {
        (get(values), ...);
    }
    void file_index(std::uint32_t& file) { file = index(counts.files, "file"); }

  private:
    const char* p_;
    const char* end_;

    std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }
    template <std::unsigned_integral T>
    T raw() {
        if (left() < sizeof(T)) fail("truncated payload");
        const T v = load_le<T>(p_);
        p_ += sizeof(T);
        return v;
    }
    std::uint32_t index(std::uint32_t limit, const char* table) {
        const std::uint32_t i = raw<std::uint32_t>();
        if (i >= limit) fail(std::string(table) + " index out of range");
        return i;
    }

    void get(std::uint32_t& v) { v = raw<std::uint32_t>(); }
    void get(int& v) { v = static_cast<int>(raw<std::uint32_t>()); }
    void get(double& v) { v = std::bit_cast<double>(raw<std::uint64_t>()); }
    void get(bool& v) {
        const std::uint8_t b = raw<std::uint8_t>();
        if (b > 1) fail("bad boolean");
        v = b == 1;
    }
    void get(std::string& s) {
        const std::uint32_t n = raw<std::uint32_t>();
        if (left() < n) fail("truncated string");
        s = std::string(p_, n);
        p_ += n;
    }
    template <SmallEnum E>
    void get(E& e) {
        const std::uint8_t v = raw<std::uint8_t>();
        if (v >= kEnumCount<E>) fail("bad enum value");
        e = static_cast<E>(v);
    }
    template <IdEnum E>
    void get(E& id) {
        if constexpr (std::is_same_v<E, AgentId>) id = E{index(counts.agents, "agent")};
        if constexpr (std::is_same_v<E, ClassId>) id = E{index(counts.classes, "class")};
        if constexpr (std::is_same_v<E, SystemId>) id = E{index(counts.systems, "system")};
        if constexpr (std::is_same_v<E, RiskId>) id = E{index(counts.risks, "risk")};
        if constexpr (std::is_same_v<E, SourceId>) id = E{index(counts.sources, "source")};
        static_assert(!std::is_same_v<E, RuleId>, "no table refers to rules");
    }
    template <typename T>
    void get(std::vector<T>& items) {
        const std::uint32_t n = raw<std::uint32_t>();
        if (left() < n) fail("truncated list");  // every item takes at least one byte
        items.clear();
        items.reserve(n);
        for (std::uint32_t i = 0; i < n; ++i)
            get(items.emplace_back());
    }
    template <typename T, std::size_t N>
    void get(std::array<T, N>& items) {
        for (T& item : items)
            get(item);
    }
    template <typename T>
    void get(std::optional<T>& value) {
        bool present = false;
        get(present);
        if (present) {
            get(value.emplace());
        } else {
            value.reset();
        }
    }
    template <typename... Ts>
    void get(std::variant<Ts...>& value) {
        const std::uint8_t i = raw<std::uint8_t>();
        if (i >= sizeof...(Ts)) fail("bad variant index");
        emplace(value, i, std::index_sequence_for<Ts...>{});
    }
    template <typename V, std::size_t... I>
    void emplace(V& value, std::size_t i, std::index_sequence<I...>) {
        (void)((i == I && (get(value.template emplace<I>()), true)) || ...);
    }
    template <Struct S>
    void get(S& s) {
        fields(*this, s);
    }
};

}  // namespace

std::string write_snapshot(const KnowledgeData& data) {
    Writer payload;
    payload(counts_of(data), data);
    std::string out;
    out.reserve(kHeaderSize + payload.out.size());
    out += kMagic;
    append_le(out, kFormatVersion);
    append_le(out, std::uint64_t{payload.out.size()});
    append_le(out, hash_bytes(payload.out));
    out += payload.out;
    return out;
}

KnowledgeData read_snapshot(std::string_view bytes) {
    if (bytes.size() < kHeaderSize || bytes.substr(0, kMagic.size()) != kMagic) {
        fail("not a combocheck knowledge snapshot");
    }
    const std::uint32_t version = load_le<std::uint32_t>(bytes.data() + 8);
    if (version != kFormatVersion) {
        fail("format version " + std::to_string(version) + ", but this build reads version " +
             std::to_string(kFormatVersion));
    }
    const std::uint64_t size = load_le<std::uint64_t>(bytes.data() + 12);
    const std::string_view payload = bytes.substr(kHeaderSize);
    if (payload.size() != size) {
        fail("payload of " + std::to_string(payload.size()) + " bytes, but the header says " +
             std::to_string(size) + " (truncated or damaged)");
    }
    if (hash_bytes(payload) != load_le<std::uint64_t>(bytes.data() + 20)) {
        fail("hash mismatch (damaged)");
    }
    Reader reader(payload);
    reader(reader.counts);
    KnowledgeData data;
    reader(data);
    if (!reader.at_end()) fail("trailing bytes after the tables");
    if (counts_of(data) != reader.counts) fail("table sizes differ from the header");
    return data;
}

}  // namespace combocheck::detail
