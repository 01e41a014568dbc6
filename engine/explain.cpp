// Explanations of agents, classes, systems, rules and risks, walking the knowledge graph.
#include "explain.hpp"

#include <algorithm>
#include <ostream>

#include "checker.hpp"
#include "detail/text_format.hpp"
#include "graph.hpp"

namespace combocheck {

using namespace detail;

namespace {

constexpr std::size_t kWidth = 100;

std::string item_text(const KnowledgeBase& kb, const MatchItem& item) {
    return std::visit(
        [&](const auto& what) -> std::string {
            using T = std::decay_t<decltype(what)>;
            if constexpr (std::is_same_v<T, AgentId>) {
                return "agent " + kb.agent(what).name;
            } else if constexpr (std::is_same_v<T, ClassId>) {
                return "class " + kb.klass(what).name;
            } else if constexpr (std::is_same_v<T, EffectPattern>) {
                std::string s = "anything that " + std::string(to_string(what.action)) + " " +
                                kb.system(what.system).name;
                if (what.min_strength)
                    s += " (at least " + std::string(to_string(*what.min_strength)) + ")";
                if (what.min_sensitivity) {
                    s += " (at least " + std::string(to_string(*what.min_sensitivity)) + ")";
                }
                if (what.min_weight) s += " (weight at least " + number(*what.min_weight) + ")";
                return s;
            } else {
                std::string s;
                for (std::size_t i = 0; i < what.size(); ++i) {
                    s += (i ? " or " : "") + item_text(kb, what[i]);
                }
                return s;
            }
        },
        item.what);
}

std::string effect_text(const KnowledgeBase& kb, const Effect& e) {
    std::string s = std::string(to_string(e.action)) + " " + kb.system(e.system).name;
    switch (e.action) {
        case Action::increases:
        case Action::decreases:
            s += " (weight " + number(e.weight) + ")";
            break;
        case Action::inhibits:
        case Action::induces:
            s += " (" + std::string(to_string(e.strength)) + ")";
            break;
        case Action::substrate:
            s +=
                " (" + std::string(to_string(e.sensitivity)) + (e.prodrug ? ", prodrug" : "") + ")";
            break;
    }
    return s + ": " + e.mechanism;
}

void write_effect(std::ostream& out, const KnowledgeBase& kb, const Effect& e,
                  const std::vector<ClassId>& via) {
    out << "  - " << wrap(effect_text(kb, e), 4, kWidth) << "\n";
    if (!via.empty()) {
        out << "    from class";
        for (const ClassId c : via)
            out << " " << kb.klass(c).id;
        out << "\n";
    }
    out << "    evidence " << to_string(e.evidence) << "; sources:";
    for (const SourceId s : e.sources)
        out << " " << kb.source(s).id;
    out << "\n";
    if (!e.note.empty()) out << "    note: " << wrap(e.note, 10, kWidth) << "\n";
}

void write_sources(std::ostream& out, const KnowledgeBase& kb, const std::vector<SourceId>& ids) {
    out << "Sources:\n";
    for (const SourceId s : ids) {
        out << "  - " << kb.source(s).id << ": " << wrap(source_text(kb.source(s)), 4, kWidth)
            << "\n";
    }
}

std::string names_line(const KnowledgeBase& kb, std::span<const AgentId> agents) {
    std::string s;
    for (std::size_t i = 0; i < agents.size(); ++i)
        s += (i ? ", " : "") + kb.agent(agents[i]).name;
    return s.empty() ? "(none)" : s;
}

void explain_agent(std::ostream& out, const KnowledgeBase& kb, AgentId id) {
    const Agent& a = kb.agent(id);
    out << a.name << " (" << to_string(a.kind) << ", id " << a.id << ")\n";
    const auto list = [&](std::string_view label, const std::vector<std::string>& names) {
        if (names.empty()) return;
        out << label;
        for (std::size_t i = 0; i < names.size(); ++i)
            out << (i ? ", " : "") << names[i];
        out << "\n";
    };
    list("Synonyms: ", a.synonyms);
    list("Brands: ", a.brands);
    list("Abbreviations: ", a.abbreviations);
    if (!a.codes.rxnorm.empty()) out << "RxNorm: " << a.codes.rxnorm << "\n";
    list("ATC: ", a.codes.atc);
    if (!kb.classes_of(id).empty()) {
        out << "Classes:";
        for (const ClassId c : kb.classes_of(id))
            out << " " << kb.klass(c).id;
        out << "\n";
    }
    if (a.narrow_therapeutic_index) out << "Narrow therapeutic index: yes\n";
    if (!a.note.empty()) out << "Note: " << wrap(a.note, 6, kWidth) << "\n";
    out << "\nEffects:\n";
    if (kb.effects_of(id).empty()) out << "  (none recorded)\n";
    for (const AgentEffect& e : kb.effects_of(id))
        write_effect(out, kb, *e.effect, e.via);
    out << "\nRules that can involve it:\n";
    const auto rules = rules_involving(kb, id);
    if (rules.empty()) out << "  (none)\n";
    for (const RuleInvolvement& r : rules) {
        out << "  - " << kb.rule(r.rule).id << " (" << kb.risk(kb.rule(r.rule).risk).id
            << "): " << r.reason << "\n";
    }
    if (!a.note_sources.empty()) write_sources(out, kb, a.note_sources);
    out << "\nDefined at " << kb.position_text(a.position) << "\n";
}

void explain_system(std::ostream& out, const KnowledgeBase& kb, SystemId id) {
    const System& s = kb.system(id);
    out << s.name << " (" << to_string(s.kind) << " system, id " << s.id << ")\n";
    if (!s.description.empty()) out << wrap(s.description, 0, kWidth) << "\n";
    const auto acting = agents_acting_on(kb, id);
    for (int a = 0; a < 5; ++a) {
        const Action action = static_cast<Action>(a);
        bool header = false;
        for (const auto& [agent, effect] : acting) {
            if (effect->effect->action != action) continue;
            if (!header) {
                static constexpr std::array<std::string_view, 5> kHeadings{
                    "Agents that raise it", "Agents that lower it", "Agents that inhibit it",
                    "Agents that induce it", "Agents that are its substrates"};
                out << "\n" << kHeadings[static_cast<std::size_t>(action)] << ":\n";
                header = true;
            }
            std::string line = kb.agent(agent).name + " - ";
            const Effect& e = *effect->effect;
            if (action == Action::increases || action == Action::decreases) {
                line += "weight " + number(e.weight);
            } else if (action == Action::substrate) {
                line += std::string(to_string(e.sensitivity)) + (e.prodrug ? ", prodrug" : "");
            } else {
                line += std::string(to_string(e.strength));
            }
            line += ": " + e.mechanism;
            if (!effect->via.empty())
                line += " (via class " + kb.klass(effect->via.back()).id + ")";
            out << "  - " << wrap(line, 4, kWidth) << "\n";
        }
    }
    if (acting.empty()) out << "\nNo agent in this knowledge base acts on it.\n";
    out << "\nRules reading it:\n";
    bool any = false;
    for (const Rule& r : kb.rules()) {
        if (rule_reads_system(kb, r, id)) {
            out << "  - " << r.id << ": " << r.title << "\n";
            any = true;
        }
    }
    if (!any) out << "  (none)\n";
}

void explain_class(std::ostream& out, const KnowledgeBase& kb, ClassId id) {
    const Class& c = kb.klass(id);
    out << c.name << " (class, id " << c.id << ")\n";
    if (!c.description.empty()) out << wrap(c.description, 0, kWidth) << "\n";
    if (!c.parents.empty()) {
        out << "Part of:";
        for (const ClassId p : c.parents)
            out << " " << kb.klass(p).id;
        out << "\n";
    }
    if (!kb.subclasses_of(id).empty()) {
        out << "Sub-classes:";
        for (const ClassId s : kb.subclasses_of(id))
            out << " " << kb.klass(s).id;
        out << "\n";
    }
    out << "Members: " << wrap(names_line(kb, kb.members_of(id)), 9, kWidth) << "\n";
    out << "\nEffects every member inherits (unless it states its own):\n";
    if (c.effects.empty()) out << "  (none)\n";
    for (const Effect& e : c.effects)
        write_effect(out, kb, e, {});
}

void explain_rule(std::ostream& out, const KnowledgeBase& kb, RuleId id) {
    const Rule& r = kb.rule(id);
    out << r.title << " (" << to_string(r.kind) << " rule, id " << r.id << ")\n";
    out << "Risk: " << kb.risk(r.risk).name << " (" << kb.risk(r.risk).id << ")\n";
    out << "Evidence: " << to_string(r.evidence) << "\n\n";
    out << "Why: " << wrap(r.explanation, 5, kWidth) << "\n";
    out << "Advice: " << wrap(r.advice, 8, kWidth) << "\n\n";
    std::visit(
        [&](const auto& d) {
            using T = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<T, BurdenRule>) {
                out << "Sums the weights of agents that " << to_string(d.action) << " "
                    << kb.system(d.system).name << " (at least " << d.min_agents << " agents):\n";
                for (const Tier& t : d.tiers) {
                    out << "  " << number(t.min_weight) << " or more: " << to_string(t.severity)
                        << "\n";
                }
                out << "Agents that contribute:\n";
                for (const auto& [agent, e] : agents_acting_on(kb, d.system)) {
                    if (e->effect->action != d.action) continue;
                    out << "  - " << kb.agent(agent).name << " (" << number(e->effect->weight)
                        << ")\n";
                }
            } else if constexpr (std::is_same_v<T, PharmacokineticRule>) {
                out << "Mode: " << to_string(d.mode) << "; systems: ";
                if (d.systems.empty()) out << "every enzyme and transporter";
                for (std::size_t i = 0; i < d.systems.size(); ++i) {
                    out << (i ? ", " : "") << kb.system(d.systems[i]).id;
                }
                out << "\nSeverity by perpetrator strength and victim sensitivity:\n";
                for (std::size_t s = 0; s < 3; ++s) {
                    for (std::size_t v = 0; v < 3; ++v) {
                        if (d.severity[s][v] == Severity::none) continue;
                        out << "  " << to_string(static_cast<Strength>(s)) << " x "
                            << to_string(static_cast<Sensitivity>(v)) << ": "
                            << to_string(d.severity[s][v]) << " (exposure x"
                            << number(d.exposure_scale[s][v]) << ")\n";
                    }
                }
                if (d.narrow_therapeutic_index_raise > 0) {
                    out << "Narrow therapeutic index victims: raised "
                        << d.narrow_therapeutic_index_raise << " step(s), at most major\n";
                }
            } else if constexpr (std::is_same_v<T, CombinationRule>) {
                out << "Severity " << to_string(d.severity)
                    << " when each item is matched by a different agent:\n";
                for (const MatchItem& item : d.match) {
                    std::vector<AgentId> matching;
                    for (std::uint32_t a = 0; a < kb.agents().size(); ++a) {
                        if (matches_item(kb, item, AgentId{a})) matching.push_back(AgentId{a});
                    }
                    out << "  - " << wrap(item_text(kb, item), 4, kWidth)
                        << "\n    matches: " << wrap(names_line(kb, matching), 13, kWidth) << "\n";
                }
            } else if constexpr (std::is_same_v<T, OppositionRule>) {
                out << "Severity " << to_string(d.severity) << " when one agent raises and another "
                    << "lowers " << kb.system(d.system).name << " (weight at least "
                    << number(d.min_weight) << ")\n";
                if (d.raising) out << "Raising side: " << item_text(kb, *d.raising) << "\n";
                if (d.lowering) out << "Lowering side: " << item_text(kb, *d.lowering) << "\n";
            } else {
                out << "Severity " << to_string(d.severity)
                    << " when two or more members of one class are listed:\n";
                for (const ClassId c : d.classes) {
                    out << "  - " << kb.klass(c).id << ": "
                        << wrap(names_line(kb, kb.members_of(c)), 6 + kb.klass(c).id.size(), kWidth)
                        << "\n";
                }
            }
        },
        r.detail);
    out << "\n";
    write_sources(out, kb, r.sources);
    out << "\nDefined at " << kb.position_text(r.position) << "\n";
}

void explain_risk(std::ostream& out, const KnowledgeBase& kb, RiskId id) {
    const Risk& risk = kb.risk(id);
    out << risk.name << " (risk category, id " << risk.id << ")\n";
    if (!risk.description.empty()) out << wrap(risk.description, 0, kWidth) << "\n";
    out << "\nRules:\n";
    for (const Rule& r : kb.rules()) {
        if (r.risk == id)
            out << "  - " << r.id << " (" << to_string(r.kind) << "): " << r.title << "\n";
    }
}

}  // namespace

std::optional<Subject> find_subject(const KnowledgeBase& kb, const Resolver& resolver,
                                    std::string_view query) {
    const Resolution r = resolver.resolve(query);
    if (r.agent && r.detail.empty()) return Subject{Subject::Kind::agent, index_of(*r.agent)};
    const std::string key = normalize_name(query);
    const auto same = [&](const std::string& id, const std::string& name) {
        return normalize_name(id) == key || normalize_name(name) == key;
    };
    for (std::uint32_t i = 0; i < kb.classes().size(); ++i) {
        if (same(kb.classes()[i].id, kb.classes()[i].name)) return Subject{Subject::Kind::klass, i};
    }
    for (std::uint32_t i = 0; i < kb.systems().size(); ++i) {
        if (same(kb.systems()[i].id, kb.systems()[i].name)) {
            return Subject{Subject::Kind::system, i};
        }
    }
    for (std::uint32_t i = 0; i < kb.rules().size(); ++i) {
        if (same(kb.rules()[i].id, kb.rules()[i].id)) return Subject{Subject::Kind::rule, i};
    }
    for (std::uint32_t i = 0; i < kb.risks().size(); ++i) {
        if (same(kb.risks()[i].id, kb.risks()[i].name)) return Subject{Subject::Kind::risk, i};
    }
    if (r.agent) return Subject{Subject::Kind::agent, index_of(*r.agent)};
    return std::nullopt;
}

std::vector<RuleInvolvement> rules_involving(const KnowledgeBase& kb, AgentId agent) {
    std::vector<RuleInvolvement> out;
    const auto effects = kb.effects_of(agent);
    for (std::uint32_t i = 0; i < kb.rules().size(); ++i) {
        const Rule& rule = kb.rules()[i];
        std::string reason;
        std::visit(
            [&](const auto& d) {
                using T = std::decay_t<decltype(d)>;
                if constexpr (std::is_same_v<T, BurdenRule> || std::is_same_v<T, OppositionRule>) {
                    for (const AgentEffect& e : effects) {
                        if (e.effect->system != d.system) continue;
                        if (e.effect->action != Action::increases &&
                            e.effect->action != Action::decreases) {
                            continue;
                        }
                        if constexpr (std::is_same_v<T, BurdenRule>) {
                            if (e.effect->action != d.action) continue;
                        }
                        reason = std::string(to_string(e.effect->action)) + " " +
                                 kb.system(d.system).name + " (weight " + number(e.effect->weight) +
                                 ")";
                    }
                } else if constexpr (std::is_same_v<T, PharmacokineticRule>) {
                    for (const AgentEffect& e : effects) {
                        const Effect& x = *e.effect;
                        if (!d.systems.empty() && std::find(d.systems.begin(), d.systems.end(),
                                                            x.system) == d.systems.end()) {
                            continue;
                        }
                        const bool perpetrator =
                            x.action ==
                            (d.mode == PkMode::induction ? Action::induces : Action::inhibits);
                        const bool victim = x.action == Action::substrate &&
                                            x.prodrug == (d.mode == PkMode::prodrug_inhibition);
                        if (perpetrator || victim) {
                            if (!reason.empty()) reason += "; ";
                            reason +=
                                std::string(to_string(x.action)) + " " + kb.system(x.system).name;
                        }
                    }
                } else if constexpr (std::is_same_v<T, CombinationRule>) {
                    for (const MatchItem& item : d.match) {
                        // Of alternatives, name the one that matches.
                        const MatchItem* shown = &item;
                        if (const auto* any = std::get_if<std::vector<MatchItem>>(&item.what)) {
                            for (const MatchItem& alternative : *any) {
                                if (matches_item(kb, alternative, agent)) {
                                    shown = &alternative;
                                    break;
                                }
                            }
                        }
                        if (matches_item(kb, *shown, agent)) {
                            reason = "matches " + item_text(kb, *shown);
                        }
                    }
                } else {
                    for (const ClassId c : d.classes) {
                        if (kb.is_member(agent, c)) reason = "member of " + kb.klass(c).id;
                    }
                }
            },
            rule.detail);
        if (!reason.empty()) out.push_back({RuleId{i}, reason});
    }
    return out;
}

bool rule_reads_system(const KnowledgeBase& kb, const Rule& rule, SystemId system) {
    if (const auto* b = std::get_if<BurdenRule>(&rule.detail)) return b->system == system;
    if (const auto* o = std::get_if<OppositionRule>(&rule.detail)) return o->system == system;
    if (const auto* p = std::get_if<PharmacokineticRule>(&rule.detail)) {
        return is_enzyme_or_transporter(kb.system(system).kind) &&
               (p->systems.empty() ||
                std::find(p->systems.begin(), p->systems.end(), system) != p->systems.end());
    }
    return false;
}

std::vector<std::pair<AgentId, const AgentEffect*>> agents_acting_on(const KnowledgeBase& kb,
                                                                     SystemId system) {
    std::vector<std::pair<AgentId, const AgentEffect*>> out;
    for (std::uint32_t a = 0; a < kb.agents().size(); ++a) {
        for (const AgentEffect& e : kb.effects_of(AgentId{a})) {
            if (e.effect->system == system) out.emplace_back(AgentId{a}, &e);
        }
    }
    std::stable_sort(out.begin(), out.end(), [&](const auto& x, const auto& y) {
        const Effect& a = *x.second->effect;
        const Effect& b = *y.second->effect;
        if (a.action != b.action) return a.action < b.action;
        if (a.weight != b.weight) return a.weight > b.weight;
        if (a.strength != b.strength) return a.strength > b.strength;
        if (a.sensitivity != b.sensitivity) return a.sensitivity > b.sensitivity;
        return kb.agent(x.first).name < kb.agent(y.first).name;
    });
    return out;
}

void write_explanation(std::ostream& out, const KnowledgeBase& kb, const Subject& subject) {
    switch (subject.kind) {
        case Subject::Kind::agent:
            explain_agent(out, kb, AgentId{subject.index});
            break;
        case Subject::Kind::klass:
            explain_class(out, kb, ClassId{subject.index});
            break;
        case Subject::Kind::system:
            explain_system(out, kb, SystemId{subject.index});
            break;
        case Subject::Kind::rule:
            explain_rule(out, kb, RuleId{subject.index});
            break;
        case Subject::Kind::risk:
            explain_risk(out, kb, RiskId{subject.index});
            break;
    }
}

}  // namespace combocheck
