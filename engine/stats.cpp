// Counting a knowledge base for `combocheck stats`.
#include "stats.hpp"

namespace combocheck {

namespace {
template <typename Enum, std::size_t N>
void count(std::array<std::size_t, N>& counts, Enum value) {
    ++counts[static_cast<std::size_t>(value)];
}
}  // namespace

KnowledgeStats knowledge_stats(const KnowledgeBase& kb) {
    KnowledgeStats s;
    s.agents = kb.agents().size();
    s.classes = kb.classes().size();
    s.risks = kb.risks().size();
    for (const Agent& a : kb.agents()) {
        count(s.agents_by_kind, a.kind);
        s.names += 1 + a.synonyms.size() + a.brands.size() + a.abbreviations.size();
        s.brands += a.brands.size();
        s.rxnorm_codes += !a.codes.rxnorm.empty();
        s.atc_codes += !a.codes.atc.empty();
        s.agents_without_effects += a.effects.empty() && a.classes.empty();
        s.narrow_therapeutic_index += a.narrow_therapeutic_index;
        for (const Effect& e : a.effects)
            count(s.effects_by_evidence, e.evidence);
        s.effects += a.effects.size();
    }
    for (const Class& c : kb.classes()) {
        for (const Effect& e : c.effects)
            count(s.effects_by_evidence, e.evidence);
        s.effects += c.effects.size();
    }
    for (const System& x : kb.systems())
        count(s.systems_by_kind, x.kind);
    for (const Rule& r : kb.rules())
        count(s.rules_by_kind, r.kind);
    for (const Source& x : kb.sources())
        count(s.sources_by_kind, x.kind);
    return s;
}

}  // namespace combocheck
