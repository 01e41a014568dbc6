// Reads systems, risks, sources, classes, agents and rules from their JSON entries and checks them.
#include "entry_reader.hpp"

#include <algorithm>
#include <cctype>
#include <functional>

#include "edit_distance.hpp"

namespace combocheck::detail {

namespace {

bool is_pharmacokinetic(Action a) {
    return a == Action::inhibits || a == Action::induces || a == Action::substrate;
}

bool valid_atc(std::string_view code) {
    // Levels: A, A01, A01A, A01AB, A01AB01.
    static constexpr std::string_view kShape = "A00AA00";
    if (code.empty() || code.size() > 7 || code.size() == 2 || code.size() == 6) return false;
    for (std::size_t i = 0; i < code.size(); ++i) {
        const bool letter = code[i] >= 'A' && code[i] <= 'Z';
        const bool digit = code[i] >= '0' && code[i] <= '9';
        if (kShape[i] == 'A' ? !letter : !digit) return false;
    }
    return true;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out += sep;
        out += parts[i];
    }
    return out;
}

}  // namespace

Position EntryReader::position(const FileContext& file, std::size_t offset) const {
    const auto [line, column] = file.lines.locate(offset);
    return {file.index, line, column};
}

std::optional<std::uint32_t> EntryReader::lookup(Section section, const std::string& id,
                                                 const FileContext& file, std::size_t offset) {
    const auto& ids = index_.ids[section];
    if (const auto it = ids.find(id); it != ids.end()) return it->second;
    std::vector<std::string> close;
    for (const Entry& e : index_.entries[section]) {
        if (edit_distance(id, e.id, std::max<std::size_t>(2, id.size() / 4)) <=
            std::max<std::size_t>(2, id.size() / 4)) {
            close.push_back("'" + e.id + "'");
        }
    }
    std::string message = "unknown " + std::string(kSectionNames[section]) + " '" + id + "'";
    if (!close.empty()) {
        if (close.size() > 3) close.resize(3);
        message += " (did you mean " + join(close, ", ") + "?)";
    }
    sink_.error(file, offset, message);
    return std::nullopt;
}

void EntryReader::read_all(KnowledgeData& data) {
    source_cited_.assign(index_.entries[kSources].size(), false);
    system_used_.assign(index_.entries[kSystems].size(), false);
    for (const Entry& e : index_.entries[kSystems])
        data.systems.push_back(read_system(e));
    for (const Entry& e : index_.entries[kRisks])
        data.risks.push_back(read_risk(e));
    for (const Entry& e : index_.entries[kSources])
        data.sources.push_back(read_source(e));
    for (const Entry& e : index_.entries[kClasses])
        data.classes.push_back(read_class(e, data));
    for (const Entry& e : index_.entries[kAgents])
        data.agents.push_back(read_agent(e, data));
    for (const Entry& e : index_.entries[kRules])
        data.rules.push_back(read_rule(e, data));
}

System EntryReader::read_system(const Entry& e) {
    FieldReader r(*e.node, *e.file, sink_, "system '" + e.id + "'");
    System s;
    s.id = r.text("id");
    s.name = r.text("name");
    s.kind = r.choice<SystemKind>("kind", kSystemKindChoices, true).value_or(SystemKind{});
    s.description = r.text("description", false);
    s.position = position(*e.file, e.node->offset);
    r.finish();
    return s;
}

Risk EntryReader::read_risk(const Entry& e) {
    FieldReader r(*e.node, *e.file, sink_, "risk '" + e.id + "'");
    Risk risk;
    risk.id = r.text("id");
    risk.name = r.text("name");
    risk.description = r.text("description", false);
    risk.position = position(*e.file, e.node->offset);
    r.finish();
    return risk;
}

Source EntryReader::read_source(const Entry& e) {
    FieldReader r(*e.node, *e.file, sink_, "source '" + e.id + "'");
    Source s;
    s.id = r.text("id");
    s.kind = r.choice<SourceKind>("kind", kSourceKindChoices, true).value_or(SourceKind{});
    s.title = r.text("title");
    s.publisher = r.text("publisher");
    s.year = r.integer("year", true, 1900, 2100).value_or(0);
    s.url = r.text("url", false);
    s.position = position(*e.file, e.node->offset);
    r.finish();
    return s;
}

std::vector<SourceId> EntryReader::read_sources(FieldReader& r, bool required) {
    std::vector<SourceId> out;
    for (const auto& [id, offset] : r.texts("sources", required)) {
        if (const auto i = lookup(kSources, id, r.file(), offset)) {
            out.push_back(SourceId{*i});
            source_cited_[*i] = true;
        }
    }
    return out;
}

std::optional<Effect> EntryReader::read_effect(const JsonNode& node, const FileContext& file,
                                               const KnowledgeData& data) {
    if (node.type != JsonNode::Type::object) {
        sink_.error(file, node.offset, "an effect must be an object");
        return std::nullopt;
    }
    FieldReader r(node, file, sink_, "effect");
    Effect effect;
    bool ok = true;
    const std::string system_id = r.text("system");
    const JsonNode* system_node = node.find("system");
    std::optional<std::uint32_t> system;
    if (!system_id.empty()) system = lookup(kSystems, system_id, file, system_node->offset);
    const auto action = r.choice<Action>("action", kActionChoices, true);
    ok = system.has_value() && action.has_value();
    if (ok) {
        effect.system = SystemId{*system};
        effect.action = *action;
        system_used_[*system] = true;
        const System& target = data.systems[*system];
        if (is_pharmacokinetic(*action) != is_enzyme_or_transporter(target.kind)) {
            sink_.error(file, system_node->offset,
                        "action '" + std::string(to_string(*action)) + "' cannot act on " +
                            std::string(to_string(target.kind)) + " system '" + target.id + "' (" +
                            (is_pharmacokinetic(*action)
                                 ? "inhibits, induces and substrate need an enzyme or transporter"
                                 : "increases and decreases need a transmitter or physiological "
                                   "system") +
                            ")");
            ok = false;
        }
    }
    const auto forbid = [&](std::string_view key, std::string_view applies) {
        if (const JsonNode* n = node.find(key)) {
            r.get(key, n->type, false);
            sink_.error(file, n->offset,
                        "'" + std::string(key) + "' applies only to " + std::string(applies));
        }
    };
    if (action) {
        switch (*action) {
            case Action::increases:
            case Action::decreases:
                effect.weight = r.number("weight", true, 0.05, 10).value_or(0);
                forbid("strength", "inhibits and induces");
                forbid("sensitivity", "substrate");
                forbid("prodrug", "substrate");
                break;
            case Action::inhibits:
            case Action::induces:
                effect.strength =
                    r.choice<Strength>("strength", kStrengthChoices, true).value_or(Strength{});
                forbid("weight", "increases and decreases");
                forbid("sensitivity", "substrate");
                forbid("prodrug", "substrate");
                break;
            case Action::substrate:
                effect.sensitivity = r.choice<Sensitivity>("sensitivity", kSensitivityChoices, true)
                                         .value_or(Sensitivity{});
                effect.prodrug = r.boolean("prodrug", false);
                forbid("weight", "increases and decreases");
                forbid("strength", "inhibits and induces");
                break;
        }
    }
    if (!action) {
        // The action is wrong or missing: its fields cannot be judged, so do not also report
        // them as unknown keys.
        for (const std::string_view key : {"weight", "strength", "sensitivity", "prodrug"}) {
            if (const JsonNode* n = node.find(key)) r.get(key, n->type, false);
        }
    }
    effect.mechanism = r.text("mechanism");
    effect.evidence = r.choice<Evidence>("evidence", kEvidenceChoices, true).value_or(Evidence{});
    effect.sources = read_sources(r, true);
    effect.note = r.text("note", false);
    effect.position = position(file, node.offset);
    r.finish();
    if (!ok) return std::nullopt;
    return effect;
}

std::vector<Effect> EntryReader::read_effects(FieldReader& r, const KnowledgeData& data) {
    std::vector<Effect> effects;
    const JsonNode* list = r.get("effects", JsonNode::Type::array, false);
    if (list == nullptr) return effects;
    for (const JsonNode& item : list->items) {
        auto effect = read_effect(item, r.file(), data);
        if (!effect) continue;
        const auto twin = std::find_if(effects.begin(), effects.end(), [&](const Effect& e) {
            return e.system == effect->system && e.action == effect->action;
        });
        if (twin != effects.end()) {
            sink_.error(r.file(), item.offset,
                        "a second '" + std::string(to_string(effect->action)) + "' effect on '" +
                            data.systems[index_of(effect->system)].id +
                            "': give one effect per system and action");
            continue;
        }
        effects.push_back(std::move(*effect));
    }
    return effects;
}

Class EntryReader::read_class(const Entry& e, const KnowledgeData& data) {
    FieldReader r(*e.node, *e.file, sink_, "class '" + e.id + "'");
    Class c;
    c.id = r.text("id");
    c.name = r.text("name");
    c.description = r.text("description", false);
    for (const auto& [id, offset] : r.texts("parents")) {
        if (const auto i = lookup(kClasses, id, *e.file, offset)) c.parents.push_back(ClassId{*i});
    }
    c.effects = read_effects(r, data);
    c.position = position(*e.file, e.node->offset);
    r.finish();
    return c;
}

Agent EntryReader::read_agent(const Entry& e, const KnowledgeData& data) {
    FieldReader r(*e.node, *e.file, sink_, "agent '" + e.id + "'");
    Agent a;
    a.id = r.text("id");
    a.name = r.text("name");
    a.kind = r.choice<AgentKind>("kind", kAgentKindChoices, true).value_or(AgentKind{});
    for (const auto& [s, offset] : r.texts("synonyms"))
        a.synonyms.push_back(s);
    for (const auto& [s, offset] : r.texts("brands"))
        a.brands.push_back(s);
    for (const auto& [s, offset] : r.texts("abbreviations"))
        a.abbreviations.push_back(s);
    if (const JsonNode* codes = r.get("codes", JsonNode::Type::object, false)) {
        FieldReader c(*codes, *e.file, sink_, "codes of agent '" + e.id + "'");
        a.codes.rxnorm = c.text("rxnorm", false);
        if (const JsonNode* n = codes->find("rxnorm");
            n && (a.codes.rxnorm.empty() ||
                  !std::all_of(a.codes.rxnorm.begin(), a.codes.rxnorm.end(),
                               [](char ch) { return ch >= '0' && ch <= '9'; }))) {
            sink_.error(*e.file, n->offset, "an RxNorm code is a string of digits (an RXCUI)");
        }
        for (const auto& [code, offset] : c.texts("atc")) {
            if (!valid_atc(code)) {
                sink_.error(*e.file, offset, "'" + code + "' is not an ATC code (like N06AB06)");
            }
            a.codes.atc.push_back(code);
        }
        c.finish();
    }
    for (const auto& [id, offset] : r.texts("classes")) {
        if (const auto i = lookup(kClasses, id, *e.file, offset)) a.classes.push_back(ClassId{*i});
    }
    a.narrow_therapeutic_index = r.boolean("narrow_therapeutic_index", false);
    a.effects = read_effects(r, data);
    a.note = r.text("note", false);
    a.note_sources = read_sources(r, false);
    if (!a.note_sources.empty() && a.note.empty()) {
        sink_.error(*e.file, e.node->find("sources")->offset,
                    "agent-level 'sources' support a 'note'; put effect sources on the effects");
    }
    a.position = position(*e.file, e.node->offset);
    // Judged on what was written, so that an effect with an error is not reported twice.
    const JsonNode* written = e.node->find("effects");
    const bool has_effects =
        written != nullptr && written->type == JsonNode::Type::array && !written->items.empty();
    const JsonNode* classes = e.node->find("classes");
    const bool inherits =
        classes != nullptr && classes->type == JsonNode::Type::array && !classes->items.empty();
    if (!has_effects && !inherits && (a.note.empty() || a.note_sources.empty())) {
        sink_.error(*e.file, e.node->offset,
                    "agent '" + e.id +
                        "' has no effects and no class: give its effects, or a 'note' with "
                        "'sources' saying why it has none");
    }
    r.finish();

    // Names are checked for ambiguity across agents once every agent is read.
    const auto add = [&](const std::string& written, std::size_t offset) {
        names_.push_back({normalize_name(written), static_cast<std::uint32_t>(data.agents.size()),
                          e.file, offset, written});
    };
    add(a.id, e.id_offset);
    const auto offsets_of = [&](std::string_view key) {
        std::vector<std::size_t> out;
        if (const JsonNode* n = e.node->find(key); n && n->type == JsonNode::Type::array) {
            for (const JsonNode& item : n->items)
                out.push_back(item.offset);
        }
        return out;
    };
    if (const JsonNode* n = e.node->find("name")) add(a.name, n->offset);
    for (const std::string_view key : {"synonyms", "brands", "abbreviations"}) {
        const auto offsets = offsets_of(key);
        const auto& list = key == "synonyms" ? a.synonyms
                           : key == "brands" ? a.brands
                                             : a.abbreviations;
        for (std::size_t i = 0; i < list.size() && i < offsets.size(); ++i) {
            add(list[i], offsets[i]);
        }
    }
    if (!a.codes.rxnorm.empty()) add("rxnorm:" + a.codes.rxnorm, e.node->offset);
    for (const auto& atc : a.codes.atc)
        add("atc:" + atc, e.node->offset);
    return a;
}

}  // namespace combocheck::detail
