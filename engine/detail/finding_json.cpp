// The findings of the batch lines (finding_json.hpp): the parts a rule fixes are made once per
// thread with the rule's texts cut at their placeholders, and each contribution's object is
// remembered, so that a finding is written in few, mostly long, pieces.
#include "finding_json.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "json_fragments.hpp"
#include "text_format.hpp"

namespace combocheck::detail {

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
            fragments.mentioned_.assign(kb.sources().size(), 0);
            fragments.finding_ = 0;
        }
        return fragments;
    }

    const std::string& effect(const Effect& e) {
        std::string& json = effects_[&e];
        if (json.empty()) json = effect_json(*base_, e);
        return json;
    }

    const std::string& source(SourceId id) {
        std::string& json = sources_[static_cast<std::size_t>(id)];
        if (json.empty()) json = reference_json(base_->source(id));
        return json;
    }

    // Starts the references of another finding: none of the sources is among them yet.
    void start_references() {
        if (++finding_ == 0) {
            std::fill(mentioned_.begin(), mentioned_.end(), 0);
            finding_ = 1;
        }
    }
    // Whether the source is not yet among the finding's references; from now on it is.
    bool first_mention(SourceId id) {
        std::uint32_t& mentioned = mentioned_[index_of(id)];
        if (mentioned == finding_) return false;
        mentioned = finding_;
        return true;
    }

  private:
    std::uint64_t kb_ = 0;  // the serial of the base it holds
    const KnowledgeBase* base_ = nullptr;
    std::unordered_map<const Effect*, std::string> effects_;
    std::vector<std::string> sources_;
    // By source, the finding that last listed it (a count, so that nothing is cleared between
    // findings).
    std::vector<std::uint32_t> mentioned_;
    std::uint32_t finding_ = 0;
};

// What a finding takes from its rule, made once per thread: the members before the title, and
// the title, explanation and advice cut at their placeholders, with the pieces between them and
// the names that fill them escaped for JSON beforehand, and the members around each text folded
// into its first and last piece. Written this way, a text is exactly what describe() makes,
// escaped, as long as no name and no piece holds a brace (no placeholder can then appear or
// vanish as describe() fills one after another); a rule or a knowledge base where one does is
// left to describe(). The escaped names also make up the paths of contributions.
class RuleParts {
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
    // The title, explanation and advice members. Each text comes between its `lead` and its
    // `trail`, which hold what the record has between the texts: the title's lead is in the
    // finding's head, and the advice's trail ends with the rule's own references.
    struct Texts {
        bool usable = false;  // else describe() fills them
        std::array<std::vector<Piece>, 3> pieces;
        std::array<std::string, 3> leads, trails;  // alone, for texts that describe() fills
    };
    struct Parts {
        Texts texts;
        bool burden = false;   // has a total weight
        bool weights = false;  // its contributions have weights and exposure scales
        std::string path_end;  // what ends each path, and the contribution: ` -> rule"}`
    };

    static const RuleParts& of(const KnowledgeBase& kb) {
        thread_local RuleParts parts;
        if (parts.kb_ != kb.serial()) parts.build(kb);
        return parts;
    }

    const Parts& rule(RuleId rule) const { return rules_[index_of(rule)]; }
    // `{"rule":...,"kind":...,"severity":...,"risk":...,"title":"`
    std::string_view head(RuleId rule, Severity s) const {
        return heads_[index_of(rule) * kSeverities + static_cast<std::size_t>(s)];
    }
    Padded agent(AgentId id) const { return agents_.at(index_of(id)); }
    Padded system(SystemId id) const { return systems_.at(index_of(id)); }
    Padded klass(ClassId id) const { return classes_.at(index_of(id)); }
    // A class on a contribution's path, as path_text() writes it: ` -> [name]`.
    Padded class_step(ClassId id) const { return class_steps_.at(index_of(id)); }

  private:
    static constexpr std::size_t kSeverities =
        static_cast<std::size_t>(Severity::contraindicated) + 1;
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
    static bool escaped_names(std::span<const T> items, PackedStrings& out) {
        bool braces = false;
        out.clear();
        std::string one;
        for (const T& item : items) {
            one.clear();
            append_escaped(one, item.name);
            out.add(one);
            braces = braces || has_brace(item.name);
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
        const QuotedIds& ids = QuotedIds::of(kb);
        // `&`, not `&&`: each call fills its table.
        const bool names = escaped_names(kb.agents(), agents_) &
                           escaped_names(kb.systems(), systems_) &
                           escaped_names(kb.classes(), classes_);
        class_steps_.clear();
        for (const Class& k : kb.classes()) {
            std::string step = " -> [";
            append_escaped(step, k.name);
            step += ']';
            class_steps_.add(step);
        }
        rules_.assign(kb.rules().size(), Parts{});
        heads_.assign(kb.rules().size() * kSeverities, std::string());
        for (std::size_t r = 0; r < rules_.size(); ++r) {
            const Rule& rule = kb.rules()[r];
            const RuleId id{static_cast<std::uint32_t>(r)};
            Parts& p = rules_[r];
            p.burden = rule.kind == RuleKind::burden;
            p.weights = rule.kind == RuleKind::burden || rule.kind == RuleKind::opposition;
            // The rule's id inside a JSON string: its quoted form without the quotes.
            const std::string_view quoted = ids.rule(id).text;
            p.path_end = " -> ";
            p.path_end += quoted.substr(1, quoted.size() - 2);
            p.path_end += "\"}";
            for (std::size_t s = 0; s < kSeverities; ++s) {
                std::string& head = heads_[r * kSeverities + s];
                head = "{\"rule\":";
                head += quoted;
                head += ",\"kind\":\"";
                head += to_string(rule.kind);
                head += "\",\"severity\":";
                head += ids.severity(static_cast<Severity>(s)).text;
                head += ",\"risk\":";
                head += ids.risk(rule.risk).text;
                head += ",\"title\":\"";
            }
            Texts& t = p.texts;
            t.trails[0] = "\"";
            t.leads[1] = "\",\"explanation\":\"";
            t.trails[1] = "\",\"advice\":\"";
            t.trails[2] = "\",\"evidence\":\"";
            t.trails[2] += to_string(rule.evidence);
            t.trails[2] += "\",\"references\":[";
            for (std::size_t i = 0; i < rule.sources.size(); ++i) {
                if (i > 0) t.trails[2] += ',';
                t.trails[2] += reference_json(kb.source(rule.sources[i]));
            }
            t.usable = names && cut(rule.title, t.pieces[0]) &&
                       cut(rule.explanation, t.pieces[1]) && cut(rule.advice, t.pieces[2]);
            if (!t.usable) continue;
            for (std::size_t k = 0; k < 3; ++k) {
                t.pieces[k].front().escaped.insert(0, t.leads[k]);
                t.pieces[k].back().escaped += t.trails[k];
            }
        }
    }

    std::uint64_t kb_ = 0;  // the serial of the base it holds
    std::vector<Parts> rules_;
    std::vector<std::string> heads_;  // by rule, then severity
    PackedStrings agents_, systems_, classes_, class_steps_;
};

// Writes the finding's texts from their pieces (see RuleParts). The finding's agents are named
// once and copied after that: title and explanation often both name them.
class TextWriter {
  public:
    TextWriter(RawWriter& w, const RuleParts& parts, const Finding& f)
        : w_(w), parts_(parts), f_(f) {}

    void put(const std::vector<RuleParts::Piece>& pieces) {
        using Hole = RuleParts::Hole;
        for (const RuleParts::Piece& piece : pieces) {
            w_.put(piece.escaped);
            switch (piece.hole) {
                case Hole::none:
                    break;
                case Hole::agents:
                    agents();
                    break;
                case Hole::system:
                    if (f_.system) w_.put(parts_.system(*f_.system));
                    break;
                case Hole::klass:
                    if (f_.klass) w_.put(parts_.klass(*f_.klass));
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
    }

  private:
    // "a, b and c", as describe() names agents.
    void name(std::size_t i, std::size_t n, AgentId agent) {
        if (i > 0) {
            if (i + 1 == n) {
                w_.put(" and ");
            } else {
                w_.put(", ");
            }
        }
        w_.put(parts_.agent(agent));
    }

    void agents() {
        if (agents_length_ > 0) return w_.put_again(agents_at_, agents_length_);
        const std::size_t at = w_.offset();
        for (std::size_t i = 0; i < f_.agents.size(); ++i)
            name(i, f_.agents.size(), f_.agents[i]);
        agents_at_ = at;
        agents_length_ = w_.offset() - at;
    }

    // The agents of a role, in the order of the contributions (an agent may come twice).
    void in_role(Role role) {
        const auto n = static_cast<std::size_t>(
            std::count_if(f_.contributions.begin(), f_.contributions.end(),
                          [role](const Contribution& c) { return c.role == role; }));
        std::size_t i = 0;
        for (const Contribution& c : f_.contributions) {
            if (c.role == role) name(i++, n, c.agent);
        }
    }

    RawWriter& w_;
    const RuleParts& parts_;
    const Finding& f_;
    std::size_t agents_at_ = 0, agents_length_ = 0;
};

// Writes a text that describe() filled in, between its lead and trail.
void put_filled(RawWriter& w, std::string_view lead, std::string_view text,
                std::string_view trail) {
    w.put(lead);
    std::string escaped;
    append_escaped(escaped, text);
    w.put(escaped);
    w.put(trail);
}

// The object of a contribution up to the end of its path's text, without the rule that ends
// both, remembered per thread: the same agent reaches the same effect, in the same role, in many
// lists. Direct-mapped: a contribution has one slot and replaces the one there, so memory is
// fixed (8,192 contributions) and a look-up is one hash and one comparison.
class ContributionCache {
  public:
    struct Made {
        std::string_view json;    // `{"agent":...,"path":"agent -> ... (-1)`
        std::size_t path_length;  // the path's text at the end of `json`
    };

    Made get(const KnowledgeBase& kb, const Contribution& c, bool weights) {
        if (kb_ != kb.serial()) {
            slots_.assign(kSlots, Slot{});
            effect_paths_.assign(kEffectPaths, EffectPath{});
            kb_ = kb.serial();
        }
        if (c.via.size() > kMaxVia) {
            const std::size_t path_length = make(uncached_, kb, c, weights);
            return {uncached_, path_length};
        }
        // Every field the object and the path are made from.
        Key key;
        key.effect = c.effect;
        key.weight = weights ? bits_of(c.weight) : 0;
        key.exposure_scale = bits_of(c.exposure_scale);
        key.agent = index_of(c.agent);
        key.role = c.role;
        key.weights = weights;
        key.via_count = static_cast<std::uint8_t>(c.via.size());
        for (std::size_t i = 0; i < c.via.size(); ++i)
            key.via[i] = index_of(c.via[i]);
        Slot& slot = slots_[hash_of(key)];
        if (!slot.used || !(slot.key == key)) {
            slot.used = true;
            slot.key = key;
            slot.path_length = make(slot.json, kb, c, weights);
        }
        return {slot.json, slot.path_length};
    }

  private:
    static constexpr std::size_t kSlotBits = 13;
    static constexpr std::size_t kSlots = std::size_t{1} << kSlotBits;
    static constexpr std::size_t kMaxVia = 8;  // longer class chains are not remembered

    struct Key {
        const Effect* effect = nullptr;
        std::uint64_t weight = 0;  // the bits of the doubles: -0.0 is written unlike 0.0
        std::uint64_t exposure_scale = 0;
        std::uint32_t agent = 0;
        Role role{};
        bool weights = false;
        std::uint8_t via_count = 0;
        std::array<std::uint32_t, kMaxVia> via{};
        bool operator==(const Key&) const = default;
    };
    struct Slot {
        bool used = false;
        Key key;
        std::string json;
        std::size_t path_length = 0;
    };

    static std::uint64_t bits_of(double value) {
        std::uint64_t bits = 0;
        std::memcpy(&bits, &value, sizeof bits);
        return bits;
    }

    static std::size_t hash_of(const Key& key) {
        constexpr std::uint64_t kMix = 0x9E3779B97F4A7C15u;
        std::uint64_t h = reinterpret_cast<std::uintptr_t>(key.effect);
        const auto mix = [&h](std::uint64_t value) { h = (h ^ value) * kMix; };
        mix(key.weight);
        mix(key.exposure_scale);
        mix(std::uint64_t{key.agent} << 16 |
            std::uint64_t{static_cast<std::uint8_t>(key.role)} << 8 | std::uint64_t{key.weights});
        for (std::size_t i = 0; i < key.via_count; ++i)
            mix(key.via[i]);
        // The top bits: they depend on every bit mixed in, where the low bits of a product do
        // not depend on the high bits of its factors (a double's exponent).
        return static_cast<std::size_t>(h >> (64 - kSlotBits));
    }

    // Makes the object into `out`; returns the length of the path's text at its end.
    std::size_t make(std::string& out, const KnowledgeBase& kb, const Contribution& c,
                     bool weights) {
        const QuotedIds& ids = QuotedIds::of(kb);
        out.clear();
        RawWriter w(out, 512);
        w.put("{\"agent\":");
        w.put(ids.agent(c.agent));
        w.put(",\"role\":\"");
        w.put(to_string(c.role));
        w.put("\",\"via\":[");
        for (std::size_t i = 0; i < c.via.size(); ++i) {
            if (i > 0) w.put(',');
            w.put(ids.klass(c.via[i]));
        }
        w.put(']');
        if (c.effect != nullptr) {
            w.put(",\"effect\":");
            w.put(Fragments::of(kb).effect(*c.effect));
        }
        if (weights) {
            w.put(",\"weight\":");
            put_double(w, c.weight);
            w.put(",\"exposure_scale\":");
            put_double(w, c.exposure_scale);
        }
        w.put(",\"path\":\"");
        // path_text(), escaped, from escaped pieces.
        const RuleParts& parts = RuleParts::of(kb);
        const std::size_t start = w.offset();
        w.put(parts.agent(c.agent));
        for (const ClassId k : c.via)
            w.put(parts.class_step(k));
        if (c.effect != nullptr) w.put(effect_path(kb, *c.effect, c.exposure_scale));
        const std::size_t length = w.offset() - start;
        w.done();
        return length;
    }

    // The end of a path from its effect on, escaped, remembered by effect and exposure scale
    // (direct-mapped, as the contributions are): an effect is reached by many agents.
    std::string_view effect_path(const KnowledgeBase& kb, const Effect& e, double scale) {
        const std::uint64_t bits = bits_of(scale);
        const std::uint64_t hash =
            (reinterpret_cast<std::uintptr_t>(&e) ^ bits) * 0x9E3779B97F4A7C15u;
        EffectPath& slot = effect_paths_[hash >> (64 - kEffectPathBits)];
        if (slot.effect != &e || slot.scale != bits) {
            slot.effect = &e;
            slot.scale = bits;
            slot.escaped.clear();
            append_escaped(slot.escaped, effect_path_text(kb, e, scale));
        }
        return slot.escaped;
    }

    static constexpr std::size_t kEffectPathBits = 11;
    static constexpr std::size_t kEffectPaths = std::size_t{1} << kEffectPathBits;
    struct EffectPath {
        const Effect* effect = nullptr;
        std::uint64_t scale = 0;  // bits
        std::string escaped;
    };
    std::vector<EffectPath> effect_paths_;
    std::uint64_t kb_ = 0;  // the serial of the base it holds
    std::vector<Slot> slots_;
    std::string uncached_;
};

}  // namespace

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

void put_full_finding(RawWriter& w, const KnowledgeBase& kb, const Finding& f) {
    thread_local ContributionCache contributions;
    // Where each contribution's path (with the rule after it) was written, for the mechanism.
    thread_local std::vector<std::pair<std::size_t, std::size_t>> paths;
    Fragments& fragments = Fragments::of(kb);
    const RuleParts& parts = RuleParts::of(kb);
    const RuleParts::Parts& rule = parts.rule(f.rule);
    const RuleParts::Texts& texts = rule.texts;
    TextWriter text(w, parts, f);
    // The texts filled in by describe() when they cannot be written from their pieces.
    FindingText filled;
    if (!texts.usable) filled = describe(kb, f, /*with_mechanism=*/false);

    w.put(parts.head(f.rule, f.severity));
    if (texts.usable) {
        text.put(texts.pieces[0]);
    } else {
        put_filled(w, texts.leads[0], filled.title, texts.trails[0]);
    }
    put_finding_agents(w, QuotedIds::of(kb), f);
    if (rule.burden) {
        w.put(",\"total_weight\":");
        put_double(w, f.total_weight);
    }
    w.put(",\"contributions\":[");
    paths.clear();
    for (const Contribution& c : f.contributions) {
        if (!paths.empty()) w.put(',');
        const ContributionCache::Made made = contributions.get(kb, c, rule.weights);
        w.put(made.json);
        const std::size_t path_at = w.offset() - made.path_length;
        w.put(rule.path_end);
        // The path and the rule after it, without the `"}` that closes the contribution.
        paths.emplace_back(path_at, w.offset() - 2 - path_at);
    }
    // The paths again, one per line, as describe() would make it.
    w.put("],\"mechanism\":\"");
    for (std::size_t i = 0; i < paths.size(); ++i) {
        if (i > 0) w.put("\\n");  // a newline, escaped
        w.put_again(paths[i].first, paths[i].second);
    }
    if (texts.usable) {
        text.put(texts.pieces[1]);
        text.put(texts.pieces[2]);
    } else {
        put_filled(w, texts.leads[1], filled.explanation, texts.trails[1]);
        put_filled(w, texts.leads[2], filled.advice, texts.trails[2]);
    }
    // The rule's own references are in the advice's trail; then those of the effects, each once
    // (as finding_sources() lists them).
    fragments.start_references();
    const std::vector<SourceId>& rule_sources = kb.rule(f.rule).sources;
    for (const SourceId id : rule_sources)
        fragments.first_mention(id);
    bool first = rule_sources.empty();
    for (const Contribution& c : f.contributions) {
        if (c.effect == nullptr) continue;
        for (const SourceId id : c.effect->sources) {
            if (!fragments.first_mention(id)) continue;
            if (!first) w.put(',');
            first = false;
            w.put(fragments.source(id));
        }
    }
    w.put("]}");
}

}  // namespace combocheck::detail
