// The spellings of the knowledge model's enums, in enum order, shared by the loader and writers.
#pragma once

#include <array>
#include <string_view>

namespace combocheck::detail {

// Enum spellings, in enum order (knowledge.hpp).
inline constexpr std::array<std::string_view, 5> kSeverityChoices{"none", "minor", "moderate",
                                                                  "major", "contraindicated"};
inline constexpr std::array<std::string_view, 3> kEvidenceChoices{"established", "probable",
                                                                  "theoretical"};
inline constexpr std::array<std::string_view, 4> kAgentKindChoices{"drug", "supplement", "food",
                                                                   "recreational"};
inline constexpr std::array<std::string_view, 4> kSystemKindChoices{"transmitter", "enzyme",
                                                                    "transporter", "physiological"};
inline constexpr std::array<std::string_view, 5> kActionChoices{"increases", "decreases",
                                                                "inhibits", "induces", "substrate"};
inline constexpr std::array<std::string_view, 3> kStrengthChoices{"weak", "moderate", "strong"};
inline constexpr std::array<std::string_view, 3> kSensitivityChoices{"minor", "moderate",
                                                                     "sensitive"};
inline constexpr std::array<std::string_view, 6> kSourceKindChoices{
    "label", "regulatory", "guideline", "review", "study", "fact_sheet"};
inline constexpr std::array<std::string_view, 5> kRuleKindChoices{
    "burden", "pharmacokinetic", "combination", "opposition", "duplication"};
inline constexpr std::array<std::string_view, 3> kPkModeChoices{"inhibition", "induction",
                                                                "prodrug_inhibition"};

inline constexpr std::array<std::string_view, 6> kNameKindChoices{
    "name", "synonym", "brand", "abbreviation", "rxnorm", "atc"};

}  // namespace combocheck::detail
