// Tests engine/resolver.cpp against resolve() as first written, which normalised every leading
// part of a name it tried afresh and looked it up in the name index itself: every name of the
// built-in knowledge base with dose and form text, in other cases and spacings, misspelt, with
// non-ASCII and invalid bytes; codes; class names.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "loader.hpp"
#include "resolver.hpp"

namespace combocheck {
namespace {

std::string_view trim(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && space(s.back()))
        s.remove_suffix(1);
    return s;
}

// As resolver.cpp lists them.
// clang-format off
constexpr std::array<std::string_view, 70> kFormWords{
    "mg", "mcg", "ug", "g", "ml", "iu", "units", "unit", "tablet", "tablets", "tab", "tabs",
    "capsule", "capsules", "cap", "caps", "er", "xr", "sr", "cr", "xl", "la", "dr", "ir", "oral",
    "solution", "suspension", "syrup", "injection", "inj", "patch", "cream", "gel", "drops",
    "spray", "daily", "once", "twice", "prn", "od", "hydrochloride", "hcl", "hydrobromide", "hbr",
    "sodium", "potassium", "calcium", "magnesium", "succinate", "tartrate", "bitartrate",
    "besylate", "maleate", "fumarate", "citrate", "sulfate", "sulphate", "mesylate", "acetate",
    "phosphate", "monohydrate", "dihydrate", "extract", "tincture", "powder", "softgel",
    "softgels", "gummy", "gummies", "liquid"};
// clang-format on

bool starts_dose_or_form(std::string_view word) {
    if (word.empty()) return false;
    if (word.front() == '(' || word.front() == '[' || word.front() == '-' || word.front() == ',') {
        return true;
    }
    if (std::any_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return true;
    }
    while (!word.empty() && (word.back() == '.' || word.back() == ',')) {
        word.remove_suffix(1);
    }
    const auto same_ignoring_case = [word](std::string_view form_word) {
        return std::equal(
            word.begin(), word.end(), form_word.begin(), form_word.end(),
            [](char c, char lower) { return (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) == lower; });
    };
    return std::any_of(kFormWords.begin(), kFormWords.end(), same_ignoring_case);
}

bool is_code(std::string_view s, std::string_view scheme) {
    if (s.size() <= scheme.size() || s[scheme.size()] != ':') return false;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        const char c = s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i];
        if (c != scheme[i]) return false;
    }
    return true;
}

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

// resolve() as first written. Its suggestions are the resolver's own: suggest() is checked
// against a full scan in resolver_test.cpp.
class ReferenceResolver {
  public:
    ReferenceResolver(const KnowledgeBase& kb, const Resolver& resolver)
        : kb_(kb), resolver_(resolver) {
        for (std::size_t i = 0; i < kb.classes().size(); ++i) {
            class_by_key_[normalize_name(kb.classes()[i].id)] = i;
            class_by_key_[normalize_name(kb.classes()[i].name)] = i;
        }
    }

    Resolution resolve(std::string_view raw, bool with_suggestions) const {
        Resolution r;
        r.input = sanitize_utf8(trim(raw));
        const std::string_view input = r.input;
        const auto accept = [&](const NameEntry& e, std::string_view detail) {
            r.agent = e.agent;
            r.matched_kind = e.kind;
            r.matched = e.written;
            r.detail = trim(detail);
        };
        const std::string key = normalize_name(input);
        const bool code = is_code(input, "rxnorm") || is_code(input, "atc");
        if (const NameEntry* e = lookup(key)) {
            accept(*e, {});
        } else if (!code) {
            for (std::size_t end = input.size(); end-- > 1;) {
                if (!is_blank(input[end]) || is_blank(input[end - 1])) continue;
                const std::string_view rest = trim(input.substr(end));
                const std::string_view first_word = rest.substr(0, rest.find_first_of(" \t"));
                if (!starts_dose_or_form(first_word)) continue;
                if (const NameEntry* e = lookup(normalize_name(input.substr(0, end)))) {
                    accept(*e, rest);
                    break;
                }
            }
            if (!r.agent) {
                const auto digit = input.find_first_of("0123456789");
                if (digit != std::string_view::npos && digit > 0) {
                    if (const NameEntry* e = lookup(normalize_name(input.substr(0, digit)))) {
                        accept(*e, input.substr(digit));
                    }
                }
            }
        }
        if (!r.agent && !input.empty() && with_suggestions) {
            r.suggestions = resolver_.suggest(input, 3);
            if (const auto it = class_by_key_.find(key); it != class_by_key_.end()) {
                const Class& c = kb_.classes()[it->second];
                r.hint = "'" + r.input + "' is a class (" + c.name +
                         "); name the agents themselves, e.g. with `combocheck explain " + c.id +
                         "`";
            }
            for (std::size_t end = input.find_last_of(" \t");
                 r.hint.empty() && end != std::string_view::npos && end > 0;
                 end = input.find_last_of(" \t", end - 1)) {
                if (const NameEntry* e = lookup(normalize_name(input.substr(0, end)))) {
                    const std::string& name = kb_.agent(e->agent).name;
                    std::erase(r.suggestions, name);
                    r.suggestions.insert(r.suggestions.begin(), name);
                    if (r.suggestions.size() > 3) r.suggestions.resize(3);
                    break;
                }
            }
        }
        return r;
    }

  private:
    const NameEntry* lookup(const std::string& key) const {
        const auto it = kb_.name_index().find(key);
        return it == kb_.name_index().end() ? nullptr : &it->second;
    }

    const KnowledgeBase& kb_;
    const Resolver& resolver_;
    std::unordered_map<std::string, std::size_t> class_by_key_;
};

// Every name as the knowledge base writes it (codes too) and every class id and name, each as
// it is and with dose and form text, in other cases and spacings, misspelt, with non-ASCII and
// invalid bytes; then random text.
std::vector<std::string> inputs_to_resolve(const KnowledgeBase& kb) {
    std::vector<std::string> names;
    for (const auto& [key, entry] : kb.name_index())
        names.push_back(entry.written);
    for (const Agent& a : kb.agents())
        names.push_back(a.id);
    for (const Class& c : kb.classes()) {
        names.push_back(c.id);
        names.push_back(c.name);
    }
    std::sort(names.begin(), names.end());  // the index's order is the library's
    names.erase(std::unique(names.begin(), names.end()), names.end());

    std::mt19937 random(20240613);
    const auto below = [&](std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
    };
    const std::string letters = "abcdefghijklmnopqrstuvwxyz";
    const auto misspell = [&](std::string s) {
        const std::size_t at = s.empty() ? 0 : below(s.size());
        switch (below(3)) {
            case 0:
                s.insert(at, 1, letters[below(letters.size())]);
                break;
            case 1:
                if (!s.empty()) s.erase(at, 1);
                break;
            default:
                if (at + 1 < s.size()) std::swap(s[at], s[at + 1]);
        }
        return s;
    };
    const auto with_case = [](std::string s, bool upper) {
        for (char& c : s) {
            if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
            if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        return s;
    };
    const auto spaced = [](const std::string& s, std::string_view blank) {
        std::string out;
        for (const char c : s)
            out += c == ' ' ? std::string(blank) : std::string(1, c);
        return out;
    };
    const std::vector<std::string> tails{" 50 mg",
                                         "50mg",
                                         " 50mg",
                                         " 0.5 mg tablet",
                                         " ER",
                                         " xr.",
                                         " XL,",
                                         " Tablets",
                                         " hydrochloride 25 mg",
                                         " HCl",
                                         " (oral)",
                                         " [PRN]",
                                         " - daily",
                                         ", 10 mg",
                                         "  \t 10 mg",
                                         "\t10\tmg",
                                         " extended release",
                                         " extra",
                                         " once daily 5 mg",
                                         " 5-HTP",
                                         " mg\nx",
                                         " g",
                                         " gummies 2",
                                         " \xC3\xA9 10 mg",
                                         " \xFF",
                                         " antagonist",
                                         " 1 2 3"};
    const std::vector<std::string> marks{
        "\xC3\xA9", "\xE2\x80\x99", "\xD0\xB0",     "\xFF",
        "\x80",     "\xC3",         "\xED\xA0\x80", "\xF0\x9F\x92\x8A"};
    std::vector<std::string> inputs;
    for (const std::string& name : names) {
        inputs.push_back(name);
        inputs.push_back(with_case(name, true));
        inputs.push_back(with_case(name, false));
        inputs.push_back(" \r\n" + name + "\t\n");
        inputs.push_back(spaced(name, "  "));
        inputs.push_back(spaced(name, "\t"));
        inputs.push_back(spaced(name, "-"));
        inputs.push_back(misspell(name));
        inputs.push_back(misspell(name) + tails[below(tails.size())]);
        for (int i = 0; i < 4; ++i)
            inputs.push_back(name + tails[below(tails.size())]);
        inputs.push_back(with_case(name, true) + tails[below(tails.size())] +
                         tails[below(tails.size())]);
        std::string marked = name;
        marked.insert(below(marked.size() + 1), marks[below(marks.size())]);
        inputs.push_back(marked);
        inputs.push_back(marked + tails[below(tails.size())]);
        inputs.push_back(marks[below(marks.size())] + " " + name + " 10 mg");
    }
    for (const char* text :
         {"", " ", "\t", "-", "5", "50 mg", "mg 50", "a 5", "rxnorm:", "RxNorm:36437 50 mg",
          "atc:N06AB06 tablet", "rxnorm: 36437", "vitamin k antagonist", "tramadol extended thing",
          "tramadol  extended", "sertraline\t\textra 50 mg", "SSRI 50 mg", "ssri"}) {
        inputs.push_back(text);
    }
    const std::string alphabet = letters + "0123456789 \t-.,()";
    for (int i = 0; i < 3000; ++i) {
        std::string s(below(30), ' ');
        for (char& c : s)
            c = below(20) == 0 ? static_cast<char>(0x80 + below(0x80))
                               : alphabet[below(alphabet.size())];
        inputs.push_back(s);
    }
    return inputs;
}

void expect_same(const Resolution& got, const Resolution& expected, std::string_view input) {
    ASSERT_EQ(got.input, expected.input) << "'" << input << "'";
    ASSERT_EQ(got.agent, expected.agent) << "'" << input << "'";
    ASSERT_EQ(got.matched_kind, expected.matched_kind) << "'" << input << "'";
    ASSERT_EQ(got.matched, expected.matched) << "'" << input << "'";
    ASSERT_EQ(got.detail, expected.detail) << "'" << input << "'";
    ASSERT_EQ(got.suggestions, expected.suggestions) << "'" << input << "'";
    ASSERT_EQ(got.hint, expected.hint) << "'" << input << "'";
}

TEST(Resolver, ResolvesEveryNameAsTheFirstWayOfWritingItDid) {
    static const KnowledgeBase kb = load_embedded_knowledge();
    const Resolver resolver(kb);
    const ReferenceResolver reference(kb, resolver);
    const std::vector<std::string> inputs = inputs_to_resolve(kb);
    ASSERT_GT(inputs.size(), 50000u);
    std::size_t resolved = 0, with_detail = 0, suggested = 0, hinted = 0;
    // Resolved into the same place over and over too, as a batch's cache does: nothing of an
    // earlier name may be left.
    Resolution reused;
    for (const std::string& input : inputs) {
        const Resolution expected = reference.resolve(input, true);
        const Resolution expected_without = reference.resolve(input, false);
        ASSERT_NO_FATAL_FAILURE(expect_same(resolver.resolve(input, true), expected, input));
        ASSERT_NO_FATAL_FAILURE(
            expect_same(resolver.resolve(input, false), expected_without, input));
        resolver.resolve(input, reused, true);
        ASSERT_NO_FATAL_FAILURE(expect_same(reused, expected, input));
        resolver.resolve(input, reused, false);
        ASSERT_NO_FATAL_FAILURE(expect_same(reused, expected_without, input));
        resolved += expected.agent.has_value();
        with_detail += !expected.detail.empty();
        suggested += !expected.suggestions.empty();
        hinted += !expected.hint.empty();
    }
    // Every way of resolving, and of not resolving, is exercised.
    EXPECT_GT(resolved, inputs.size() / 2);
    EXPECT_GT(with_detail, inputs.size() / 5);
    EXPECT_GT(suggested, inputs.size() / 20);
    EXPECT_GT(hinted, 100u);
}

}  // namespace
}  // namespace combocheck
