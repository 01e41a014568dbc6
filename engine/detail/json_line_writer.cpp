// The lines of `batch --format jsonl` (full and brief records), assembled by hand: they are
// written once per list of a batch, where RapidJSON's Writer costs more than the check. The
// members and their order are those of the check report (json_writer.cpp), which tests hold
// them to (tests/engine/json_line_test.cpp).
#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "../report.hpp"
#include "json_fragments.hpp"
#include "json_raw.hpp"
#include "text_format.hpp"

namespace combocheck {

using namespace detail;

namespace {

// The JSON of what the knowledge base fixes, made once per thread: effect objects and
// references, which make up most of a finding's bytes. Bounded by the size of the knowledge
// base; a thread that sees another knowledge base starts again.
class Fragments {
  public:
    static Fragments& of(const KnowledgeBase& kb) {
        thread_local Fragments fragments;
        if (fragments.kb_ != kb.serial()) {
            fragments.kb_ = kb.serial();
            fragments.base_ = &kb;
            fragments.effects_.clear();
            fragments.sources_.assign(kb.sources().size(), std::string());
        }
        return fragments;
    }

    const std::string& effect(const Effect& e) {
        std::string& json = effects_[&e];
        if (json.empty()) json = detail::effect_json(*base_, e);
        return json;
    }

    const std::string& source(SourceId id) {
        std::string& json = sources_[static_cast<std::size_t>(id)];
        if (json.empty()) json = detail::reference_json(base_->source(id));
        return json;
    }

  private:
    std::uint64_t kb_ = 0;  // the serial of the base it holds
    const KnowledgeBase* base_ = nullptr;
    std::unordered_map<const Effect*, std::string> effects_;
    std::vector<std::string> sources_;
};

// The path text of contributions, remembered per thread: the same agent reaches the same effect
// in many lists. Direct-mapped: a path has one slot and replaces the one there, so memory is
// fixed (8,192 paths) and a look-up is one hash and one comparison.
class PathCache {
  public:
    // Appends the path of `c` to `out`, escaped for a JSON string.
    void append(std::string& out, const KnowledgeBase& kb, const Contribution& c) {
        if (kb_ != kb.serial()) {
            slots_.assign(kSlots, Slot{});
            kb_ = kb.serial();
        }
        // Every field path_text() reads.
        key_.clear();
        put(c.agent);
        put(c.effect);
        put(c.exposure_scale);
        for (const ClassId k : c.via)
            put(k);
        const std::size_t hash = std::hash<std::string_view>{}(key_);
        Slot& slot = slots_[hash & (kSlots - 1)];
        if (!slot.used || slot.hash != hash || slot.key != key_) {
            slot.used = true;
            slot.hash = hash;
            slot.key = key_;
            slot.escaped.clear();
            append_escaped(slot.escaped, path_text(kb, c));
        }
        out += slot.escaped;
    }

  private:
    static constexpr std::size_t kSlots = 8192;

    template <typename T>
    void put(const T& value) {
        key_.append(reinterpret_cast<const char*>(&value), sizeof value);
    }

    struct Slot {
        bool used = false;
        std::size_t hash = 0;
        std::string key;
        std::string escaped;
    };
    std::uint64_t kb_ = 0;  // the serial of the base it holds
    std::vector<Slot> slots_;
    std::string key_;
};

// The rules' title, explanation and advice cut at their placeholders, with the pieces between
// them and the names that fill them escaped for JSON beforehand, made once per thread: a
// finding's texts are then written piece by piece, instead of filled in by describe() and
// escaped afterwards, which was a fifth of a full record's cost. Written this way, a text is
// exactly what describe() makes, escaped, as long as no name and no piece holds a brace (no
// placeholder can then appear or vanish as describe() fills one after another); a rule or a
// knowledge base where one does is left to describe().
class RuleTexts {
  public:
    enum class Hole : std::uint8_t {
        none,
        agents,
        system,
        klass,
        perpetrator,
        victim,
        raising,
        lowering
    };
    struct Piece {
        std::string escaped;     // the text up to the placeholder, escaped
        Hole hole = Hole::none;  // the placeholder after it; none at the end
    };
    struct Texts {
        bool usable = false;                       // else describe() fills them
        std::array<std::vector<Piece>, 3> pieces;  // title, explanation, advice
    };

    static const RuleTexts& of(const KnowledgeBase& kb) {
        thread_local RuleTexts texts;
        if (texts.kb_ != kb.serial()) texts.build(kb);
        return texts;
    }

    const Texts& of_rule(RuleId rule) const { return rules_[index_of(rule)]; }
    std::string_view agent(AgentId id) const { return agents_[index_of(id)]; }
    std::string_view system(SystemId id) const { return systems_[index_of(id)]; }
    std::string_view klass(ClassId id) const { return classes_[index_of(id)]; }

  private:
    static constexpr std::array<std::pair<std::string_view, Hole>, 7> kHoles{{
        {"{agents}", Hole::agents},
        {"{system}", Hole::system},
        {"{class}", Hole::klass},
        {"{perpetrator}", Hole::perpetrator},
        {"{victim}", Hole::victim},
        {"{raising}", Hole::raising},
        {"{lowering}", Hole::lowering},
    }};

    static bool has_brace(std::string_view s) { return s.find_first_of("{}") != s.npos; }

    template <typename T>
    static bool escaped_names(std::span<const T> items, std::vector<std::string>& out) {
        bool braces = false;
        out.assign(items.size(), std::string());
        for (std::size_t i = 0; i < items.size(); ++i) {
            append_escaped(out[i], items[i].name);
            braces = braces || has_brace(items[i].name);
        }
        return !braces;
    }

    // The text cut at its placeholders; false when a brace is left outside them.
    static bool cut(std::string_view text, std::vector<Piece>& out) {
        std::string_view literal;
        std::size_t start = 0;
        for (std::size_t at = text.find('{'); at != text.npos; at = text.find('{', start)) {
            const auto hole = std::find_if(kHoles.begin(), kHoles.end(), [&](const auto& h) {
                return text.substr(at).starts_with(h.first);
            });
            if (hole == kHoles.end()) return false;
            literal = text.substr(start, at - start);
            if (has_brace(literal)) return false;
            out.emplace_back();
            append_escaped(out.back().escaped, literal);
            out.back().hole = hole->second;
            start = at + hole->first.size();
        }
        literal = text.substr(start);
        if (has_brace(literal)) return false;
        out.emplace_back();
        append_escaped(out.back().escaped, literal);
        return true;
    }

    void build(const KnowledgeBase& kb) {
        kb_ = kb.serial();
        // `&`, not `&&`: each call fills its table.
        const bool names = escaped_names(kb.agents(), agents_) &
                           escaped_names(kb.systems(), systems_) &
                           escaped_names(kb.classes(), classes_);
        rules_.assign(kb.rules().size(), Texts{});
        for (std::size_t r = 0; r < rules_.size(); ++r) {
            const Rule& rule = kb.rules()[r];
            Texts& t = rules_[r];
            t.usable = names && cut(rule.title, t.pieces[0]) &&
                       cut(rule.explanation, t.pieces[1]) && cut(rule.advice, t.pieces[2]);
        }
    }

    std::uint64_t kb_ = 0;  // the serial of the base it holds
    std::vector<Texts> rules_;
    std::vector<std::string> agents_, systems_, classes_;
};

// Writes `"key":"text"` for one of the finding's texts from its pieces (see RuleTexts).
void append_text_member(RawWriter& w, std::string_view key, const RuleTexts& texts,
                        const std::vector<RuleTexts::Piece>& pieces, const Finding& f) {
    using Hole = RuleTexts::Hole;
    // "a, b and c", as describe() names agents.
    const auto name = [&](std::size_t i, std::size_t n, AgentId agent) {
        if (i > 0) w.put(i + 1 == n ? " and " : ", ");
        w.put(texts.agent(agent));
    };
    const auto agents = [&] {
        for (std::size_t i = 0; i < f.agents.size(); ++i)
            name(i, f.agents.size(), f.agents[i]);
    };
    // The agents of a role, in the order of the contributions (an agent may come twice).
    const auto in_role = [&](Role role) {
        const auto n = static_cast<std::size_t>(
            std::count_if(f.contributions.begin(), f.contributions.end(),
                          [role](const Contribution& c) { return c.role == role; }));
        std::size_t i = 0;
        for (const Contribution& c : f.contributions) {
            if (c.role == role) name(i++, n, c.agent);
        }
    };
    w.put('"');
    w.put(key);
    w.put("\":\"");
    for (const RuleTexts::Piece& piece : pieces) {
        w.put(piece.escaped);
        switch (piece.hole) {
            case Hole::none:
                break;
            case Hole::agents:
                agents();
                break;
            case Hole::system:
                if (f.system) w.put(texts.system(*f.system));
                break;
            case Hole::klass:
                if (f.klass) w.put(texts.klass(*f.klass));
                break;
            case Hole::perpetrator:
                in_role(Role::perpetrator);
                break;
            case Hole::victim:
                in_role(Role::victim);
                break;
            case Hole::raising:
                in_role(Role::raising);
                break;
            case Hole::lowering:
                in_role(Role::lowering);
                break;
        }
    }
    w.put('"');
}

// A finding's agents, then its system or class, as full and brief records both have them.
void put_finding_agents(RawWriter& w, const QuotedIds& ids, const Finding& f) {
    w.put(",\"agents\":[");
    for (std::size_t i = 0; i < f.agents.size(); ++i) {
        if (i > 0) w.put(',');
        w.put(ids.agent(f.agents[i]));
    }
    w.put(']');
    if (f.system) {
        w.put(",\"system\":");
        w.put(ids.system(*f.system));
    }
    if (f.klass) {
        w.put(",\"class\":");
        w.put(ids.klass(*f.klass));
    }
}

// One finding, with the members and order of finding() in json_writer.cpp.
void append_finding(RawWriter& w, const KnowledgeBase& kb, const Finding& f) {
    thread_local PathCache paths;
    Fragments& fragments = Fragments::of(kb);
    const Rule& rule = kb.rule(f.rule);
    const RuleTexts& texts = RuleTexts::of(kb);
    const RuleTexts::Texts& pieces = texts.of_rule(f.rule);
    // The texts filled in by describe() when they cannot be written from their pieces.
    FindingText text;
    if (!pieces.usable) text = describe(kb, f, /*with_mechanism=*/false);
    const auto text_member = [&](std::string_view key, std::size_t k, const std::string& filled) {
        if (pieces.usable) {
            append_text_member(w, key, texts, pieces.pieces[k], f);
        } else {
            put_member(w, key, filled);
        }
    };
    const QuotedIds& ids = QuotedIds::of(kb);
    // The rule's id inside a JSON string: its quoted form without the quotes.
    const std::string_view rule_id =
        ids.rule(f.rule).text.substr(1, ids.rule(f.rule).text.size() - 2);
    // The paths again, one per line, as describe() would make it; escaped as they are made.
    thread_local std::string mechanism;
    mechanism.clear();
    w.put("{\"rule\":");
    w.put(ids.rule(f.rule));
    w.put(',');
    put_name_member(w, "kind", to_string(rule.kind));
    w.put(",\"severity\":");
    w.put(ids.severity(f.severity));
    w.put(",\"risk\":");
    w.put(ids.risk(rule.risk));
    w.put(',');
    text_member("title", 0, text.title);
    put_finding_agents(w, ids, f);
    if (rule.kind == RuleKind::burden) {
        w.put(",\"total_weight\":");
        put_double(w, f.total_weight);
    }
    w.put(",\"contributions\":[");
    bool first = true;
    for (const Contribution& c : f.contributions) {
        w.put(first ? "{\"agent\":" : ",{\"agent\":");
        first = false;
        w.put(ids.agent(c.agent));
        w.put(',');
        put_name_member(w, "role", to_string(c.role));
        w.put(",\"via\":[");
        for (std::size_t i = 0; i < c.via.size(); ++i) {
            if (i > 0) w.put(',');
            w.put(ids.klass(c.via[i]));
        }
        w.put(']');
        if (c.effect != nullptr) {
            w.put(",\"effect\":");
            w.put(fragments.effect(*c.effect));
        }
        if (rule.kind == RuleKind::burden || rule.kind == RuleKind::opposition) {
            w.put(",\"weight\":");
            put_double(w, c.weight);
            w.put(",\"exposure_scale\":");
            put_double(w, c.exposure_scale);
        }
        if (!mechanism.empty()) mechanism += "\\n";  // a newline, escaped
        const std::size_t start = mechanism.size();
        paths.append(mechanism, kb, c);
        mechanism += " -> ";
        mechanism += rule_id;
        w.put(",\"path\":\"");
        w.put(std::string_view(mechanism).substr(start));
        w.put("\"}");
    }
    w.put("],\"mechanism\":\"");
    w.put(mechanism);
    w.put('"');
    w.put(',');
    text_member("explanation", 1, text.explanation);
    w.put(',');
    text_member("advice", 2, text.advice);
    w.put(',');
    put_name_member(w, "evidence", to_string(rule.evidence));
    w.put(",\"references\":[");
    first = true;
    thread_local std::vector<SourceId> sources;
    detail::finding_sources(kb, f, sources);
    for (const SourceId id : sources) {
        if (!first) w.put(',');
        first = false;
        w.put(fragments.source(id));
    }
    w.put("]}");
}

}  // namespace

namespace {

// A resolved name's object in "agents": input and id, and for a full line how it matched.
void put_agent_entry(RawWriter& w, const KnowledgeBase& kb, const Resolution& r, bool brief) {
    w.put("{\"input\":");
    w.string(r.input);
    w.put(",\"id\":");
    w.put(QuotedIds::of(kb).agent(*r.agent));
    if (!brief) {
        const Agent& a = kb.agent(*r.agent);
        w.put(",\"name\":");
        w.string(a.name);
        w.put(",\"kind\":\"");
        w.put(to_string(a.kind));
        w.put("\",\"matched\":");
        w.string(r.matched);
        w.put(",\"matched_as\":\"");
        w.put(to_string(r.matched_kind));
        w.put('"');
        if (!r.detail.empty()) {
            w.put(",\"detail\":");
            w.string(r.detail);
        }
    }
    w.put('}');
}

// An unresolved name's object in "unresolved", brief or full.
void put_unresolved_entry(RawWriter& w, const Resolution& r) {
    w.put("{\"input\":");
    w.string(r.input);
    w.put(",\"suggestions\":[");
    for (std::size_t i = 0; i < r.suggestions.size(); ++i) {
        if (i > 0) w.put(',');
        w.string(r.suggestions[i]);
    }
    w.put(']');
    if (!r.hint.empty()) {
        w.put(",\"hint\":");
        w.string(r.hint);
    }
    w.put('}');
}

// How every line begins: its id, then the "agents" and "unresolved" arrays, from the entries made
// beforehand when there are any, else made here.
void put_id_and_names(RawWriter& w, const KnowledgeBase& kb, std::string_view id,
                      ResolvedNames names, NameEntries entries, bool brief) {
    w.put("{\"id\":");
    w.string(id);
    w.put(',');
    const bool made = !entries.empty();
    for (const bool resolved : {true, false}) {
        w.put(resolved ? "\"agents\":[" : ",\"unresolved\":[");
        bool first = true;
        for (std::size_t k = 0; k < names.size(); ++k) {
            const Resolution& r = *names[k];
            if (r.agent.has_value() != resolved) continue;
            if (!first) w.put(',');
            first = false;
            if (made) {
                w.put(entries[k]);
            } else if (resolved) {
                put_agent_entry(w, kb, r, brief);
            } else {
                put_unresolved_entry(w, r);
            }
        }
        w.put(']');
    }
}

}  // namespace

void append_name_entry(std::string& out, const KnowledgeBase& kb, const Resolution& name,
                       bool brief) {
    RawWriter w(out, 256);
    if (name.agent) {
        put_agent_entry(w, kb, name, brief);
    } else {
        put_unresolved_entry(w, name);
    }
    w.done();
}

// Assembled by hand rather than with RapidJSON's Writer: effect objects, references and paths
// come pre-made from the per-thread caches, and this runs once per list of a batch. The members and
// their order are those of report_members().
void append_json_line(std::string& out, const KnowledgeBase& kb, std::string_view id,
                      ResolvedNames names, const CheckResult& result, NameEntries entries) {
    const QuotedIds& ids = QuotedIds::of(kb);
    RawWriter w(out, kRoomStep);
    put_id_and_names(w, kb, id, names, entries, /*brief=*/false);
    w.put(",\"findings\":[");
    bool first = true;
    for (const Finding& f : result.findings) {
        if (!first) w.put(',');
        first = false;
        append_finding(w, kb, f);
    }
    w.put("],\"exposure\":[");
    first = true;
    for (const ExposureChange& e : result.exposure) {
        w.put(first ? "{\"agent\":" : ",{\"agent\":");
        first = false;
        w.put(ids.agent(e.agent));
        w.put(",\"scale\":");
        put_double(w, e.scale);
        w.put('}');
    }
    w.put("],\"max_severity\":");
    w.put(ids.severity(result.max_severity));
    w.put(',');
    static const std::string disclaimer = [] {
        std::string text;
        append_member(text, "disclaimer", kDisclaimer);
        return text;
    }();
    w.put(disclaimer);
    w.put("}\n");
    w.done();
}

// The members of a brief record, in this order (docs/json-output.md): the ids a program joins
// on, nothing that needs the rule texts.
void append_brief_json_line(std::string& out, const KnowledgeBase& kb, std::string_view id,
                            ResolvedNames names, const CheckResult& result, NameEntries entries) {
    const QuotedIds& ids = QuotedIds::of(kb);
    RawWriter w(out, kRoomStep);
    put_id_and_names(w, kb, id, names, entries, /*brief=*/true);
    w.put(",\"findings\":[");
    bool first = true;
    for (const Finding& f : result.findings) {
        if (!first) w.put(',');
        first = false;
        w.put(ids.finding_head(f.rule, f.severity));
        put_finding_agents(w, ids, f);
        w.put('}');
    }
    w.put("],\"max_severity\":");
    w.put(ids.severity(result.max_severity));
    w.put("}\n");
    w.done();
}

// The pointers a writer reads, for callers that hold the resolutions themselves.
namespace {
std::span<const Resolution* const> pointers_to(const CheckReport& report) {
    thread_local std::vector<const Resolution*> names;
    names.clear();
    for (const Resolution& r : report.resolutions)
        names.push_back(&r);
    return names;
}
}  // namespace

void append_json_line(std::string& out, const KnowledgeBase& kb, std::string_view id,
                      const CheckReport& report) {
    append_json_line(out, kb, id, pointers_to(report), report.result);
}

void append_brief_json_line(std::string& out, const KnowledgeBase& kb, std::string_view id,
                            const CheckReport& report) {
    append_brief_json_line(out, kb, id, pointers_to(report), report.result);
}

void append_brief_json_error_line(std::string& out, std::string_view id, std::string_view file,
                                  std::size_t line, std::string_view error) {
    out += '{';
    append_member(out, "id", id);
    out += ',';
    append_member(out, "file", file);
    out += ",\"line\":";
    out += std::to_string(line);
    out += ',';
    append_member(out, "error", error);
    out += "}\n";
}

}  // namespace combocheck
