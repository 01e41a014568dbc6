// Reads rules (burden, pharmacokinetic, combination, opposition, duplication) and their patterns.
#include <algorithm>

#include "entry_reader.hpp"

namespace combocheck::detail {

namespace {

// Placeholders each kind of rule can fill in (docs/knowledge-format.md, "Rules").
std::vector<std::string_view> placeholders_for(RuleKind kind) {
    switch (kind) {
        case RuleKind::burden:
            return {"agents", "system"};
        case RuleKind::pharmacokinetic:
            return {"agents", "system", "perpetrator", "victim"};
        case RuleKind::combination:
            return {"agents"};
        case RuleKind::opposition:
            return {"agents", "system", "raising", "lowering"};
        case RuleKind::duplication:
            return {"agents", "class"};
    }
    return {};
}

}  // namespace

Rule EntryReader::read_rule(const Entry& e, const KnowledgeData& data) {
    FieldReader r(*e.node, *e.file, sink_, "rule '" + e.id + "'");
    Rule rule;
    rule.id = r.text("id");
    const auto kind = r.choice<RuleKind>("kind", kRuleKindChoices, true);
    rule.kind = kind.value_or(RuleKind{});
    const std::string risk = r.text("risk");
    if (const JsonNode* n = e.node->find("risk"); n && !risk.empty()) {
        if (const auto i = lookup(kRisks, risk, *e.file, n->offset)) rule.risk = RiskId{*i};
    }
    rule.title = r.text("title");
    rule.explanation = r.text("explanation");
    rule.advice = r.text("advice");
    rule.evidence = r.choice<Evidence>("evidence", kEvidenceChoices, true).value_or(Evidence{});
    rule.sources = read_sources(r, true);
    rule.position = position(*e.file, e.node->offset);
    if (kind) {
        read_rule_detail(r, rule, data);
        check_placeholders(r, rule);
    }
    r.finish();
    return rule;
}

void EntryReader::check_placeholders(FieldReader& r, const Rule& rule) {
    const auto allowed = placeholders_for(rule.kind);
    for (const std::string_view key : {"title", "explanation", "advice"}) {
        const JsonNode* n = r.node().find(key);
        if (n == nullptr || n->type != JsonNode::Type::string) continue;
        const std::string& text = n->text;
        for (std::size_t open = text.find('{'); open != std::string::npos;
             open = text.find('{', open + 1)) {
            const std::size_t close = text.find('}', open);
            const std::string name = close == std::string::npos
                                         ? text.substr(open)
                                         : text.substr(open + 1, close - open - 1);
            if (close == std::string::npos ||
                std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
                std::string list;
                for (const auto a : allowed)
                    list += (list.empty() ? "{" : ", {") + std::string(a) + "}";
                r.sink().error(r.file(), n->offset,
                               "unknown placeholder '{" + name + "}' in " + std::string(key) +
                                   " of a " + std::string(to_string(rule.kind)) +
                                   " rule (allowed: " + list + ")");
            }
        }
    }
}

std::optional<EffectPattern> EntryReader::read_effect_pattern(const JsonNode& node,
                                                              const FileContext& file,
                                                              const KnowledgeData& data) {
    FieldReader r(node, file, sink_, "effect pattern");
    EffectPattern p;
    const std::string system = r.text("system");
    std::optional<std::uint32_t> s;
    if (!system.empty()) s = lookup(kSystems, system, file, node.find("system")->offset);
    const auto action = r.choice<Action>("action", kActionChoices, true);
    if (const JsonNode* n = r.get("min_strength", JsonNode::Type::string, false)) {
        p.min_strength = r.choice_of<Strength>(*n, "min_strength", kStrengthChoices);
    }
    p.min_weight = r.number("min_weight", false, 0, 10);
    if (const JsonNode* n = r.get("min_sensitivity", JsonNode::Type::string, false)) {
        p.min_sensitivity = r.choice_of<Sensitivity>(*n, "min_sensitivity", kSensitivityChoices);
    }
    r.finish();
    if (!s || !action) return std::nullopt;
    p.system = SystemId{*s};
    p.action = *action;
    system_used_[*s] = true;
    (void)data;
    return p;
}

std::optional<MatchItem> EntryReader::read_match_item(const JsonNode& node, const FileContext& file,
                                                      const KnowledgeData& data) {
    if (node.type != JsonNode::Type::object || node.keys.size() != 1) {
        sink_.error(file, node.offset,
                    "a match item is an object with exactly one of 'agent', 'class', 'effect', "
                    "'any_of'");
        return std::nullopt;
    }
    const std::string& key = node.keys.front();
    const JsonNode& value = node.items.front();
    const auto need = [&](JsonNode::Type type) {
        if (value.type == type) return true;
        sink_.error(file, value.offset,
                    "'" + key + "' must be " + std::string(to_string(type)) + ", not " +
                        std::string(to_string(value.type)));
        return false;
    };
    if (key == "agent") {
        if (!need(JsonNode::Type::string)) return std::nullopt;
        if (const auto i = lookup(kAgents, value.text, file, value.offset)) {
            return MatchItem{AgentId{*i}};
        }
    } else if (key == "class") {
        if (!need(JsonNode::Type::string)) return std::nullopt;
        if (const auto i = lookup(kClasses, value.text, file, value.offset)) {
            return MatchItem{ClassId{*i}};
        }
    } else if (key == "effect") {
        if (!need(JsonNode::Type::object)) return std::nullopt;
        if (auto p = read_effect_pattern(value, file, data)) return MatchItem{*p};
    } else if (key == "any_of") {
        if (!need(JsonNode::Type::array)) return std::nullopt;
        std::vector<MatchItem> items;
        for (const JsonNode& item : value.items) {
            if (auto m = read_match_item(item, file, data)) items.push_back(std::move(*m));
        }
        if (value.items.size() < 2) {
            sink_.error(file, value.offset, "'any_of' needs at least two items");
        }
        return MatchItem{std::move(items)};
    } else {
        sink_.error(file, node.key_offsets.front(),
                    "unknown match item '" + key + "' (one of: agent, class, effect, any_of)");
    }
    return std::nullopt;
}

void EntryReader::read_rule_detail(FieldReader& r, Rule& rule, const KnowledgeData& data) {
    const FileContext& file = r.file();
    const auto severity = [&](std::string_view key) {
        const auto s = r.choice<Severity>(key, kSeverityChoices, true);
        if (s == Severity::none) {
            r.sink().error(file, r.node().find(key)->offset, "a rule's severity cannot be 'none'");
        }
        return s.value_or(Severity::none);
    };
    const auto system = [&](bool pharmacokinetic) -> SystemId {
        const std::string id = r.text("system");
        if (id.empty()) return SystemId{};
        const JsonNode* n = r.node().find("system");
        const auto i = lookup(kSystems, id, file, n->offset);
        if (!i) return SystemId{};
        system_used_[*i] = true;
        if (is_enzyme_or_transporter(data.systems[*i].kind) != pharmacokinetic) {
            r.sink().error(file, n->offset,
                           "system '" + id + "' is " +
                               std::string(to_string(data.systems[*i].kind)) +
                               "; this rule needs " +
                               (pharmacokinetic ? "an enzyme or transporter"
                                                : "a transmitter or physiological system"));
        }
        return SystemId{*i};
    };
    const auto item = [&](std::string_view key) -> std::optional<MatchItem> {
        const JsonNode* n = r.get(key, JsonNode::Type::object, false);
        return n ? read_match_item(*n, file, data) : std::nullopt;
    };

    switch (rule.kind) {
        case RuleKind::burden: {
            BurdenRule b;
            b.system = system(false);
            const auto action = r.choice<Action>("action", kActionChoices, true);
            if (action && *action != Action::increases && *action != Action::decreases) {
                r.sink().error(file, r.node().find("action")->offset,
                               "a burden rule sums 'increases' or 'decreases' effects");
            }
            b.action = action.value_or(Action::increases);
            b.min_agents = r.integer("min_agents", false, 1, 20).value_or(2);
            if (const JsonNode* tiers = r.get("tiers", JsonNode::Type::array, true)) {
                for (const JsonNode& t : tiers->items) {
                    if (t.type != JsonNode::Type::object) {
                        r.sink().error(file, t.offset, "a tier must be an object");
                        continue;
                    }
                    FieldReader tr(t, file, r.sink(), "tier");
                    Tier tier;
                    tier.min_weight = tr.number("min_weight", true, 0.05, 100).value_or(0);
                    const auto s = tr.choice<Severity>("severity", kSeverityChoices, true);
                    tier.severity = s.value_or(Severity::none);
                    tr.finish();
                    if (!b.tiers.empty() && (tier.min_weight <= b.tiers.back().min_weight ||
                                             tier.severity <= b.tiers.back().severity)) {
                        r.sink().error(file, t.offset,
                                       "tiers must rise in both min_weight and severity");
                    }
                    if (tier.severity == Severity::none) {
                        r.sink().error(file, t.offset, "a tier's severity cannot be 'none'");
                    }
                    b.tiers.push_back(tier);
                }
                if (tiers->items.empty()) r.sink().error(file, tiers->offset, "no tiers");
            }
            rule.detail = std::move(b);
            break;
        }
        case RuleKind::pharmacokinetic: {
            PharmacokineticRule pk;
            pk.mode = r.choice<PkMode>("mode", kPkModeChoices, true).value_or(PkMode{});
            for (const auto& [id, offset] : r.texts("systems")) {
                if (const auto i = lookup(kSystems, id, file, offset)) {
                    pk.systems.push_back(SystemId{*i});
                    system_used_[*i] = true;
                    if (!is_enzyme_or_transporter(data.systems[*i].kind)) {
                        r.sink().error(file, offset,
                                       "system '" + id + "' is not an enzyme or transporter");
                    }
                }
            }
            for (auto& row : pk.severity)
                row.fill(Severity::none);
            for (auto& row : pk.exposure_scale)
                row.fill(1.0);
            bool any = false;
            if (const JsonNode* table = r.get("severity", JsonNode::Type::object, true)) {
                FieldReader tr(*table, file, r.sink(), "severity table");
                for (std::size_t s = 0; s < kStrengthChoices.size(); ++s) {
                    const JsonNode* row =
                        tr.get(kStrengthChoices[s], JsonNode::Type::object, false);
                    if (row == nullptr) continue;
                    FieldReader rr(*row, file, r.sink(), "severity row");
                    for (std::size_t v = 0; v < kSensitivityChoices.size(); ++v) {
                        if (auto sev = rr.choice<Severity>(kSensitivityChoices[v], kSeverityChoices,
                                                           false)) {
                            pk.severity[s][v] = *sev;
                            any = any || *sev != Severity::none;
                        }
                    }
                    rr.finish();
                }
                tr.finish();
                if (!any) r.sink().error(file, table->offset, "the severity table is empty");
            }
            if (const JsonNode* table = r.get("exposure_scale", JsonNode::Type::object, false)) {
                FieldReader tr(*table, file, r.sink(), "exposure_scale table");
                for (std::size_t s = 0; s < kStrengthChoices.size(); ++s) {
                    const JsonNode* row =
                        tr.get(kStrengthChoices[s], JsonNode::Type::object, false);
                    if (row == nullptr) continue;
                    FieldReader rr(*row, file, r.sink(), "exposure_scale row");
                    for (std::size_t v = 0; v < kSensitivityChoices.size(); ++v) {
                        if (auto x = rr.number(kSensitivityChoices[v], false, 0.05, 20)) {
                            pk.exposure_scale[s][v] = *x;
                            const bool raises = pk.mode == PkMode::inhibition;
                            if (raises ? *x < 1 : *x > 1) {
                                r.sink().error(file, row->find(kSensitivityChoices[v])->offset,
                                               raises ? "inhibition scales exposure up (>= 1)"
                                                      : "induction and prodrug inhibition "
                                                        "scale exposure down (<= 1)");
                            }
                        }
                    }
                    rr.finish();
                }
                tr.finish();
            }
            pk.narrow_therapeutic_index_raise =
                r.integer("narrow_therapeutic_index_raise", false, 0, 2).value_or(0);
            rule.detail = std::move(pk);
            break;
        }
        case RuleKind::combination: {
            CombinationRule c;
            if (const JsonNode* list = r.get("match", JsonNode::Type::array, true)) {
                for (const JsonNode& n : list->items) {
                    if (auto m = read_match_item(n, file, data)) c.match.push_back(std::move(*m));
                }
                if (list->items.size() < 2) {
                    r.sink().error(file, list->offset,
                                   "a combination needs at least two match items");
                }
            }
            c.severity = severity("severity");
            rule.detail = std::move(c);
            break;
        }
        case RuleKind::opposition: {
            OppositionRule o;
            o.system = system(false);
            o.severity = severity("severity");
            o.min_weight = r.number("min_weight", false, 0, 10).value_or(0);
            o.raising = item("raising");
            o.lowering = item("lowering");
            rule.detail = std::move(o);
            break;
        }
        case RuleKind::duplication: {
            DuplicationRule d;
            for (const auto& [id, offset] : r.texts("classes", true)) {
                if (const auto i = lookup(kClasses, id, file, offset)) {
                    d.classes.push_back(ClassId{*i});
                }
            }
            d.severity = severity("severity");
            rule.detail = std::move(d);
            break;
        }
    }
}

}  // namespace combocheck::detail
