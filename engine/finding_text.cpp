// The texts of a finding: rule texts with their placeholders filled in, and the path of each
// contribution through the graph.
#include <cmath>
#include <cstdio>

#include "checker.hpp"
#include "detail/text_format.hpp"

namespace combocheck {

namespace {

// Weights are sums of decimals like 0.5 and 1.5; compare with a little slack.
constexpr double kEpsilon = 1e-9;

// As printf's "%g" would print it; the common weights and scales (0.5, 2, 1.25) without printf.
std::string number_text(double x) {
    const double thousandths = x * 1000;
    if (x >= 0 && x < 1000 && thousandths == static_cast<double>(static_cast<long>(thousandths))) {
        const long n = static_cast<long>(thousandths);
        std::string out = std::to_string(n / 1000);
        if (const long fraction = n % 1000; fraction != 0) {
            char digits[4] = {static_cast<char>('0' + fraction / 100),
                              static_cast<char>('0' + fraction / 10 % 10),
                              static_cast<char>('0' + fraction % 10), '\0'};
            std::size_t length = 3;
            while (digits[length - 1] == '0')
                --length;
            out += '.';
            out.append(digits, length);
        }
        return out;
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", x);
    return buffer;
}

std::string names_of(const KnowledgeBase& kb, const std::vector<AgentId>& agents) {
    std::string out;
    for (std::size_t i = 0; i < agents.size(); ++i) {
        if (i > 0) out += i + 1 == agents.size() ? " and " : ", ";
        out += kb.agent(agents[i]).name;
    }
    return out;
}

void replace_all(std::string& text, std::string_view key, const std::string& value) {
    for (std::size_t at = text.find(key); at != std::string::npos;
         at = text.find(key, at + value.size())) {
        text.replace(at, key.size(), value);
    }
}

}  // namespace

std::string path_text(const KnowledgeBase& kb, const Contribution& c) {
    std::string out = kb.agent(c.agent).name;
    for (const ClassId k : c.via)
        out += " -> [" + kb.klass(k).name + "]";
    if (c.effect != nullptr) out += detail::effect_path_text(kb, *c.effect, c.exposure_scale);
    return out;
}

namespace detail {

std::string effect_path_text(const KnowledgeBase& kb, const Effect& e, double exposure_scale) {
    std::string out = " -> " + e.mechanism + " -> " + kb.system(e.system).name + " (";
    switch (e.action) {
        case Action::increases:
        case Action::decreases: {
            const std::string sign = e.action == Action::increases ? "+" : "-";
            out += sign + number_text(e.weight);
            if (std::abs(exposure_scale - 1.0) > kEpsilon) {
                out += " x" + number_text(exposure_scale) + " exposure = " + sign +
                       number_text(e.weight * exposure_scale);
            }
            break;
        }
        case Action::inhibits:
        case Action::induces:
            out += std::string(to_string(e.action)) + ", " + std::string(to_string(e.strength));
            break;
        case Action::substrate:
            out += "substrate, " + std::string(to_string(e.sensitivity)) +
                   (e.prodrug ? ", prodrug" : "");
            break;
    }
    out += ")";
    return out;
}

}  // namespace detail

FindingText describe(const KnowledgeBase& kb, const Finding& finding, bool with_mechanism) {
    const Rule& rule = kb.rule(finding.rule);
    FindingText text{rule.title, rule.explanation, rule.advice, {}};
    std::vector<AgentId> perpetrators, victims, raising, lowering;
    for (const Contribution& c : finding.contributions) {
        if (c.role == Role::perpetrator) perpetrators.push_back(c.agent);
        if (c.role == Role::victim) victims.push_back(c.agent);
        if (c.role == Role::raising) raising.push_back(c.agent);
        if (c.role == Role::lowering) lowering.push_back(c.agent);
        if (!with_mechanism) continue;
        if (!text.mechanism.empty()) text.mechanism += "\n";
        text.mechanism += path_text(kb, c) + " -> " + rule.id;
    }
    // Each value is made only when a text holds its placeholder.
    const auto fill = [&](std::string_view key, auto&& value) {
        std::string made;
        bool have = false;
        for (std::string* s : {&text.title, &text.explanation, &text.advice}) {
            if (s->find(key) == std::string::npos) continue;
            if (!have) {
                made = value();
                have = true;
            }
            replace_all(*s, key, made);
        }
    };
    fill("{agents}", [&] { return names_of(kb, finding.agents); });
    fill("{system}",
         [&] { return finding.system ? kb.system(*finding.system).name : std::string(); });
    fill("{class}", [&] { return finding.klass ? kb.klass(*finding.klass).name : std::string(); });
    fill("{perpetrator}", [&] { return names_of(kb, perpetrators); });
    fill("{victim}", [&] { return names_of(kb, victims); });
    fill("{raising}", [&] { return names_of(kb, raising); });
    fill("{lowering}", [&] { return names_of(kb, lowering); });
    return text;
}

}  // namespace combocheck
