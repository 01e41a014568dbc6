// The knowledge model: systems, agents, classes, effects, rules, and the immutable KnowledgeBase.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace combocheck {

// Small integer ids inside the engine; strings only at the edges.
enum class AgentId : std::uint32_t {};
enum class ClassId : std::uint32_t {};
enum class SystemId : std::uint32_t {};
enum class RuleId : std::uint32_t {};
enum class RiskId : std::uint32_t {};
enum class SourceId : std::uint32_t {};

template <typename Id>
constexpr std::uint32_t index_of(Id id) {
    return static_cast<std::uint32_t>(id);
}

enum class Severity : std::uint8_t { none, minor, moderate, major, contraindicated };
enum class Evidence : std::uint8_t { established, probable, theoretical };
enum class AgentKind : std::uint8_t { drug, supplement, food, recreational };
enum class SystemKind : std::uint8_t { transmitter, enzyme, transporter, physiological };
enum class Action : std::uint8_t { increases, decreases, inhibits, induces, substrate };
enum class Strength : std::uint8_t { weak, moderate, strong };
enum class Sensitivity : std::uint8_t { minor, moderate, sensitive };
enum class SourceKind : std::uint8_t { label, regulatory, guideline, review, study, fact_sheet };
enum class RuleKind : std::uint8_t {
    burden,
    pharmacokinetic,
    combination,
    opposition,
    duplication
};
enum class PkMode : std::uint8_t { inhibition, induction, prodrug_inhibition };

// Pharmacokinetic actions (inhibits, induces, substrate) act on these kinds of system only.
inline bool is_enzyme_or_transporter(SystemKind k) {
    return k == SystemKind::enzyme || k == SystemKind::transporter;
}

// Names as written in the knowledge files and in every output format.
std::string_view to_string(Severity);
std::string_view to_string(Evidence);
std::string_view to_string(AgentKind);
std::string_view to_string(SystemKind);
std::string_view to_string(Action);
std::string_view to_string(Strength);
std::string_view to_string(Sensitivity);
std::string_view to_string(SourceKind);
std::string_view to_string(RuleKind);
std::string_view to_string(PkMode);
std::optional<Severity> parse_severity(std::string_view);

// Where an entry was written: an index into KnowledgeBase::files(), and a 1-based line and column.
struct Position {
    std::uint32_t file = 0;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
};

struct Source {
    std::string id;
    SourceKind kind{};
    std::string title;
    std::string publisher;
    int year = 0;
    std::string url;
    Position position;
};

struct System {
    std::string id;
    std::string name;
    SystemKind kind{};
    std::string description;
    Position position;
};

struct Risk {
    std::string id;
    std::string name;
    std::string description;
    Position position;
};

struct Effect {
    SystemId system{};
    Action action{};
    double weight = 0;          // increases, decreases
    Strength strength{};        // inhibits, induces
    Sensitivity sensitivity{};  // substrate
    bool prodrug = false;       // substrate: this enzyme forms the active drug
    std::string mechanism;
    Evidence evidence{};
    std::vector<SourceId> sources;
    std::string note;
    Position position;
};

struct Class {
    std::string id;
    std::string name;
    std::string description;
    std::vector<ClassId> parents;
    std::vector<Effect> effects;
    Position position;
};

struct AgentCodes {
    std::string rxnorm;
    std::vector<std::string> atc;
};

struct Agent {
    std::string id;
    std::string name;
    AgentKind kind{};
    std::vector<std::string> synonyms;
    std::vector<std::string> brands;
    std::vector<std::string> abbreviations;
    AgentCodes codes;
    std::vector<ClassId> classes;
    bool narrow_therapeutic_index = false;
    std::vector<Effect> effects;
    std::string note;
    std::vector<SourceId> note_sources;
    Position position;
};

// One item of a combination pattern, or a side of an opposition rule.
struct EffectPattern {
    SystemId system{};
    Action action{};
    std::optional<Strength> min_strength;
    std::optional<double> min_weight;
    std::optional<Sensitivity> min_sensitivity;
};

struct MatchItem {
    std::variant<AgentId, ClassId, EffectPattern, std::vector<MatchItem>> what;  // vector: any_of
};

struct Tier {
    double min_weight = 0;
    Severity severity = Severity::none;
};

struct BurdenRule {
    SystemId system{};
    Action action = Action::increases;
    int min_agents = 2;
    std::vector<Tier> tiers;  // sorted by min_weight, rising severity
};

// Tables indexed [strength][sensitivity].
using SeverityTable = std::array<std::array<Severity, 3>, 3>;
using ScaleTable = std::array<std::array<double, 3>, 3>;

struct PharmacokineticRule {
    PkMode mode{};
    std::vector<SystemId> systems;  // empty: every enzyme and transporter
    SeverityTable severity{};
    int narrow_therapeutic_index_raise = 0;
    ScaleTable exposure_scale{};  // 1.0 where not given
};

struct CombinationRule {
    std::vector<MatchItem> match;
    Severity severity{};
};

struct OppositionRule {
    SystemId system{};
    Severity severity{};
    double min_weight = 0;
    std::optional<MatchItem> raising;
    std::optional<MatchItem> lowering;
};

struct DuplicationRule {
    std::vector<ClassId> classes;
    Severity severity{};
};

struct Rule {
    std::string id;
    RuleKind kind{};
    RiskId risk{};
    std::string title;
    std::string explanation;
    std::string advice;
    Evidence evidence{};
    std::vector<SourceId> sources;
    std::variant<BurdenRule, PharmacokineticRule, CombinationRule, OppositionRule, DuplicationRule>
        detail;
    Position position;
};

// An effect an agent has, its own or inherited; `via` is the class chain from the agent's own class
// to the class that declared the effect (empty for the agent's own effects).
struct AgentEffect {
    const Effect* effect = nullptr;
    std::vector<ClassId> via;
};

enum class NameKind : std::uint8_t { name, synonym, brand, abbreviation, rxnorm, atc };
std::string_view to_string(NameKind);

struct NameEntry {
    AgentId agent{};
    NameKind kind{};
    std::string written;  // the name as the knowledge base writes it
};

// Everything the loader reads, before derived tables are built.
struct KnowledgeData {
    std::vector<std::string> files;
    std::vector<Source> sources;
    std::vector<System> systems;
    std::vector<Risk> risks;
    std::vector<Class> classes;
    std::vector<Agent> agents;
    std::vector<Rule> rules;
};

class KnowledgeGraph;

// The immutable knowledge base. Built once by the loader, then shared by const reference (and
// across threads) by the resolver, checker, explainer and writers.
class KnowledgeBase {
  public:
    // Builds the derived tables; the data must already be validated (see loader.hpp).
    explicit KnowledgeBase(KnowledgeData data);
    KnowledgeBase(KnowledgeBase&&) noexcept;
    KnowledgeBase& operator=(KnowledgeBase&&) noexcept;
    ~KnowledgeBase();

    std::span<const std::string> files() const { return data_.files; }
    std::span<const Source> sources() const { return data_.sources; }
    std::span<const System> systems() const { return data_.systems; }
    std::span<const Risk> risks() const { return data_.risks; }
    std::span<const Class> classes() const { return data_.classes; }
    std::span<const Agent> agents() const { return data_.agents; }
    std::span<const Rule> rules() const { return data_.rules; }
    // Everything the base was built from (rules/compile_rules.cpp snapshots it).
    const KnowledgeData& data() const { return data_; }

    const Source& source(SourceId id) const { return data_.sources[index_of(id)]; }
    const System& system(SystemId id) const { return data_.systems[index_of(id)]; }
    const Risk& risk(RiskId id) const { return data_.risks[index_of(id)]; }
    const Class& klass(ClassId id) const { return data_.classes[index_of(id)]; }
    const Agent& agent(AgentId id) const { return data_.agents[index_of(id)]; }
    const Rule& rule(RuleId id) const { return data_.rules[index_of(id)]; }

    std::optional<AgentId> find_agent(std::string_view id) const;
    std::optional<ClassId> find_class(std::string_view id) const;
    std::optional<SystemId> find_system(std::string_view id) const;
    std::optional<RuleId> find_rule(std::string_view id) const;
    std::optional<RiskId> find_risk(std::string_view id) const;

    // Own and inherited effects; at most one per (system, action).
    std::span<const AgentEffect> effects_of(AgentId id) const { return effects_[index_of(id)]; }
    // Every class the agent belongs to, directly or through parents; sorted.
    std::span<const ClassId> classes_of(AgentId id) const { return ancestors_[index_of(id)]; }
    bool is_member(AgentId agent, ClassId klass) const;
    // Agents in the class or any of its sub-classes; sorted.
    std::span<const AgentId> members_of(ClassId id) const { return members_[index_of(id)]; }
    std::span<const ClassId> subclasses_of(ClassId id) const { return children_[index_of(id)]; }

    // Normalised name (see normalize_name) -> agent.
    const NameEntry* lookup_name(std::string_view normalized) const;
    const std::unordered_map<std::string, NameEntry>& name_index() const { return names_; }

    const KnowledgeGraph& graph() const { return *graph_; }

    std::string position_text(const Position& p) const;

    // Unique to this knowledge base among those made in the process (a moved-to one keeps it):
    // per-thread caches of what a base fixes key on it, as the next base may reuse an address.
    std::uint64_t serial() const { return serial_; }

  private:
    std::uint64_t serial_ = 0;
    KnowledgeData data_;
    std::vector<std::vector<AgentEffect>> effects_;
    std::vector<std::vector<ClassId>> ancestors_;
    std::vector<std::vector<AgentId>> members_;
    std::vector<std::vector<ClassId>> children_;
    std::unordered_map<std::string, NameEntry> names_;
    // The names again for lookup_name, which a resolver calls a few times per name it resolves:
    // open addressing (linear probing, at most half full) with a cheaper hash than std::hash,
    // and no std::string to make for a key. Its elements point into names_, whose elements stay
    // put when the base is moved.
    struct NameSlot {
        std::uint32_t hash = 0;  // the high half of name_hash(key)
        std::uint32_t size = 0;  // of the key
        const std::pair<const std::string, NameEntry>* name = nullptr;  // null: empty
    };
    std::vector<NameSlot> name_slots_;
    std::unordered_map<std::string_view, AgentId> agent_ids_;
    std::unordered_map<std::string_view, ClassId> class_ids_;
    std::unordered_map<std::string_view, SystemId> system_ids_;
    std::unordered_map<std::string_view, RuleId> rule_ids_;
    std::unordered_map<std::string_view, RiskId> risk_ids_;
    std::unique_ptr<KnowledgeGraph> graph_;
};

// Lower case, diacritics folded to ASCII, everything but letters and digits removed:
// "St. John's Wort" -> "stjohnswort", "5-HTP" -> "5htp", "Ibuprofène" -> "ibuprofene".
std::string normalize_name(std::string_view name);

// A name's key (normalize_name) together with the keys of its leading parts, from one pass: a
// resolver looks a name up whole and then without the dose or form words after it. Normalising
// goes character by character, so the key of a leading part that ends before an ASCII byte is
// a prefix of the whole key. Assigning another name reuses the buffers.
class NameKey {
  public:
    NameKey() = default;
    explicit NameKey(std::string_view name) { assign(name); }

    void assign(std::string_view name);

    // normalize_name(name)
    std::string_view key() const { return {buffer_.data(), lengths_[size_]}; }

    // normalize_name(name.substr(0, bytes)), where bytes == name.size() or name[bytes] is ASCII.
    std::string_view key_of_first(std::size_t bytes) const {
        return {buffer_.data(), lengths_[bytes]};
    }

  private:
    std::size_t size_ = 0;  // of the name
    // The key, and past it what was left from longer names: the buffers only grow.
    std::string buffer_;
    // lengths_[i]: the key's length after the name's first i bytes (before a character that
    // starts at byte i or spans it). Starts as one zero: the empty name's.
    std::vector<std::uint32_t> lengths_ = std::vector<std::uint32_t>(1);
};

// The text with every invalid UTF-8 sequence replaced by U+FFFD, so that it can be echoed in any
// output format (JSON must be valid UTF-8).
std::string sanitize_utf8(std::string_view text);
// The same into `out`, which is replaced (its buffer reused); `text` must not view `out`.
void sanitize_utf8(std::string_view text, std::string& out);

}  // namespace combocheck
