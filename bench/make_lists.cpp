// `make_lists`: writes seeded, realistic synthetic batch input (JSON Lines, CSV, or FHIR bulk
// NDJSON) from the built-in knowledge base, for benchmarks and scale tests of `combocheck batch`.
//
//   make_lists --format jsonl --lists 1000000 --seed 1 > lists.jsonl
//
// Output streams through a fixed buffer, so memory stays constant for any --lists. The same
// arguments give byte-identical output: draws are integer-only, from its own PRNG, never from
// std:: distributions (whose results differ between standard libraries).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "knowledge.hpp"
#include "loader.hpp"

namespace {

using namespace combocheck;

// xoshiro256** (Blackman and Vigna), seeded through splitmix64 as its authors recommend.
class Random {
  public:
    explicit Random(std::uint64_t seed) {
        for (auto& s : state_) {
            seed += 0x9e3779b97f4a7c15ULL;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            s = z ^ (z >> 31);
        }
    }
    std::uint64_t next() {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }
    // Uniform in [0, n), by Lemire's multiply-shift (the tiny bias is irrelevant here).
    std::uint32_t below(std::uint32_t n) {
        return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32);
    }
    // True with probability threshold / 2^64 (see threshold_of).
    bool chance(std::uint64_t threshold) { return next() < threshold; }

  private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t state_[4];
};

std::uint64_t threshold_of(double probability) {
    if (probability <= 0) return 0;
    if (probability >= 1) return UINT64_MAX;
    return static_cast<std::uint64_t>(std::ldexp(probability, 64));
}

// Walker's alias method (Vose's construction): O(1) draws from a fixed discrete distribution.
// Probabilities are stored as 64-bit thresholds, so a draw needs no floating point.
class Alias {
  public:
    explicit Alias(const std::vector<double>& weights) {
        const std::size_t n = weights.size();
        double total = 0;
        for (double w : weights)
            total += w;
        std::vector<double> scaled(n);
        std::vector<std::uint32_t> small, large;
        for (std::size_t i = 0; i < n; ++i) {
            scaled[i] = weights[i] * static_cast<double>(n) / total;
            (scaled[i] < 1 ? small : large).push_back(static_cast<std::uint32_t>(i));
        }
        threshold_.assign(n, UINT64_MAX);
        alias_.resize(n);
        for (std::size_t i = 0; i < n; ++i)
            alias_[i] = static_cast<std::uint32_t>(i);
        while (!small.empty() && !large.empty()) {
            const std::uint32_t s = small.back(), l = large.back();
            small.pop_back();
            threshold_[s] = threshold_of(scaled[s]);
            alias_[s] = l;
            scaled[l] -= 1 - scaled[s];
            if (scaled[l] < 1) {
                large.pop_back();
                small.push_back(l);
            }
        }
    }
    std::uint32_t draw(Random& random) const {
        const std::uint32_t i = random.below(static_cast<std::uint32_t>(alias_.size()));
        return random.chance(threshold_[i]) ? i : alias_[i];
    }

  private:
    std::vector<std::uint64_t> threshold_;
    std::vector<std::uint32_t> alias_;
};

// Medicines near the top of US outpatient prescription counts (as ClinCalc DrugStats ranks them)
// and much-used supplements and substances, in rough order: they lead the Zipf ranking, so that
// lists look like a pharmacy's rather than a uniform draw from the knowledge base. Names the
// knowledge base lacks are skipped.
// clang-format off
constexpr std::string_view kCommon[] = {
    "atorvastatin", "levothyroxine", "metformin", "lisinopril", "amlodipine", "metoprolol",
    "alcohol", "caffeine", "albuterol", "omeprazole", "losartan", "vitamin D", "simvastatin",
    "gabapentin", "hydrochlorothiazide", "sertraline", "ibuprofen", "montelukast", "aspirin",
    "fish oil", "rosuvastatin", "escitalopram", "bupropion", "furosemide", "pantoprazole",
    "acetaminophen", "trazodone", "fluoxetine", "tamsulosin", "amoxicillin", "prednisone",
    "tramadol", "citalopram", "pravastatin", "carvedilol", "meloxicam", "clopidogrel",
    "magnesium", "melatonin", "duloxetine", "alprazolam", "clonazepam", "propranolol",
    "potassium chloride", "cyclobenzaprine", "warfarin", "glipizide", "venlafaxine", "zolpidem",
    "allopurinol", "spironolactone", "oxycodone", "atenolol", "quetiapine", "lamotrigine",
    "cannabis", "St John's wort", "grapefruit juice", "nicotine", "apixaban", "diltiazem"};
// clang-format on

// Relative frequency by kind, on top of the Zipf rank: medication lists are mostly drugs.
double kind_weight(AgentKind kind) {
    switch (kind) {
        case AgentKind::drug:
            return 1.0;
        case AgentKind::supplement:
            return 0.4;
        case AgentKind::food:
            return 0.2;
        case AgentKind::recreational:
            return 0.2;
    }
    return 1.0;
}

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : s)
        h = (h ^ c) * 0x100000001b3ULL;
    return h;
}

// What a person may type for one agent.
struct Entry {
    std::string name;  // as the knowledge base writes it; also the FHIR coding display
    std::vector<std::string> brands, synonyms, abbreviations;
    std::string rxnorm;
    bool dosed = false;  // drugs and supplements come with dose text at times
};

// Dose and form text as it follows a name on real lists; every one starts with a digit, so the
// resolver reads it as dose text.
// clang-format off
constexpr std::string_view kDoses[] = {
    " 5 mg", " 10 mg", " 20 mg", " 25 mg", " 40 mg", " 50 mg", " 100 mg", " 200 mg", " 500 mg",
    " 1000 mg", " 10mg", " 50mg", " 2.5 mg", " 0.5 mg", " 100 mcg", " 1000 IU", " 50 mg tablet",
    " 20 mg daily", " 500 mg twice daily", " 81 mg", " 75 mg once daily"};
// clang-format on

constexpr std::size_t kMaxListSize = 20;

// Weights of list sizes 2..20: a gamma shape (k^4 e^(-k/1.6)), mean about 8, mode 6 to 7, a
// thin tail to 20, as in polypharmacy surveys of older adults.
std::vector<double> list_size_weights() {
    std::vector<double> w;
    for (int k = 2; k <= static_cast<int>(kMaxListSize); ++k)
        w.push_back(std::pow(k, 4.0) * std::exp(-k / 1.6));
    return w;
}

class Generator {
  public:
    Generator(const KnowledgeBase& kb, std::uint64_t seed, double error_rate, double misspell_rate)
        : random_(seed),
          agents_(build_catalogue(kb)),
          pick_agent_(agent_weights_),
          pick_size_(list_size_weights()),
          error_(threshold_of(error_rate)),
          misspell_(threshold_of(misspell_rate)) {}

    // The agents of the next list, as typed (names, brands, synonyms, case, dose, misspellings).
    // Valid until the next call. The strings are reused from list to list, so that the loop
    // allocates nothing once they have grown.
    std::span<const std::string> next_list() {
        const std::size_t size = 2 + pick_size_.draw(random_);
        chosen_.clear();
        for (std::size_t i = 0; i < size; ++i) {
            std::uint32_t a = pick_agent_.draw(random_);
            // A list seldom names one agent twice; a few redraws keep duplicates rare, not absent.
            for (int tries = 0; tries < 4 && std::count(chosen_.begin(), chosen_.end(), a); ++tries)
                a = pick_agent_.draw(random_);
            chosen_.push_back(a);
            type_name(agents_[a], typed_[i]);
        }
        return {typed_.data(), size};
    }
    const Entry& agent_of(std::size_t i) const { return agents_[chosen_[i]]; }

    // Malformed input: 0 when this list is well-formed, else a kind of damage 1..3.
    int damage() { return random_.chance(error_) ? 1 + static_cast<int>(random_.below(3)) : 0; }
    Random& random() { return random_; }

  private:
    std::vector<Entry> build_catalogue(const KnowledgeBase& kb) {
        // Rank: the common names first, in their order, then the rest in a fixed pseudo-random
        // order (by a hash of the id, so it does not depend on --seed or on file order).
        std::vector<std::uint32_t> order;
        std::vector<bool> placed(kb.agents().size());
        for (std::string_view name : kCommon) {
            if (const NameEntry* e = kb.lookup_name(normalize_name(name))) {
                const auto a = index_of(e->agent);
                if (!placed[a]) order.push_back(a);
                placed[a] = true;
            }
        }
        std::vector<std::uint32_t> rest;
        for (std::uint32_t a = 0; a < kb.agents().size(); ++a) {
            if (!placed[a]) rest.push_back(a);
        }
        std::sort(rest.begin(), rest.end(), [&](std::uint32_t x, std::uint32_t y) {
            return fnv1a(kb.agents()[x].id) < fnv1a(kb.agents()[y].id);
        });
        order.insert(order.end(), rest.begin(), rest.end());

        std::vector<Entry> entries;
        for (std::size_t rank = 0; rank < order.size(); ++rank) {
            const Agent& agent = kb.agents()[order[rank]];
            entries.push_back(
                {agent.name, agent.brands, agent.synonyms, agent.abbreviations, agent.codes.rxnorm,
                 agent.kind == AgentKind::drug || agent.kind == AgentKind::supplement});
            // Zipf with exponent 0.6: the top agent ends up on about one list in four, the rarest
            // on about one in 700 (measured over 200,000 lists); drugs are about 88 % of names.
            agent_weights_.push_back(kind_weight(agent.kind) /
                                     std::pow(static_cast<double>(rank + 1), 0.6));
        }
        return entries;
    }

    void type_name(const Entry& e, std::string& out) {
        const std::uint32_t form = random_.below(100);
        const std::string* base = &e.name;
        if (!e.brands.empty() && form < 25) {
            base = &e.brands[random_.below(static_cast<std::uint32_t>(e.brands.size()))];
        } else if (!e.synonyms.empty() && form >= 25 && form < 37) {
            base = &e.synonyms[random_.below(static_cast<std::uint32_t>(e.synonyms.size()))];
        } else if (!e.abbreviations.empty() && form >= 37 && form < 42) {
            base =
                &e.abbreviations[random_.below(static_cast<std::uint32_t>(e.abbreviations.size()))];
        }
        out.assign(*base);
        const std::uint32_t letter_case = random_.below(100);
        if (letter_case < 10) {
            for (char& c : out)
                c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        } else if (letter_case < 14) {
            for (char& c : out)
                c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
        } else if (letter_case < 24 && !out.empty() && out[0] >= 'a' && out[0] <= 'z') {
            out[0] = static_cast<char>(out[0] - 'a' + 'A');
        }
        if (random_.chance(misspell_)) misspell(out);
        if (e.dosed && random_.below(100) < 20) {
            out += kDoses[random_.below(static_cast<std::uint32_t>(std::size(kDoses)))];
        }
    }

    // One typing slip on an ASCII letter: two letters swapped, one dropped, or one doubled.
    void misspell(std::string& s) {
        const auto letter = [&](std::size_t i) {
            const char c = s[i];
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        };
        if (s.size() < 4) return;
        const std::size_t i = 1 + random_.below(static_cast<std::uint32_t>(s.size() - 2));
        if (!letter(i)) return;
        switch (random_.below(3)) {
            case 0:
                if (letter(i + 1) && s[i] != s[i + 1]) std::swap(s[i], s[i + 1]);
                break;
            case 1:
                s.erase(i, 1);
                break;
            default:
                s.insert(i, 1, s[i]);
                break;
        }
    }

    Random random_;
    std::vector<double> agent_weights_;  // filled by build_catalogue, before pick_agent_
    std::vector<Entry> agents_;
    Alias pick_agent_;
    Alias pick_size_;
    std::uint64_t error_;
    std::uint64_t misspell_;
    std::vector<std::string> typed_ = std::vector<std::string>(kMaxListSize);
    std::vector<std::uint32_t> chosen_;
};

// Standard output through one fixed 1 MB buffer, written with fwrite when full.
class Output {
  public:
    static constexpr std::size_t kSize = std::size_t{1} << 20;
    // Longest record written in one piece: 20 agents of at most a few hundred bytes each.
    static constexpr std::size_t kRecordRoom = std::size_t{64} << 10;

    Output() : buffer_(kSize) {}
    ~Output() { flush(); }

    // Makes room for one whole record, so that it can be cut short in place (see truncate).
    void begin_record() {
        if (kSize - used_ < kRecordRoom) flush();
        record_start_ = used_;
    }
    void put(std::string_view s) {
        if (s.size() > kSize - used_) flush();
        std::memcpy(buffer_.data() + used_, s.data(), s.size());
        used_ += s.size();
    }
    void put(char c) {
        if (used_ == kSize) flush();
        buffer_[used_++] = c;
    }
    // Zero-padded to six digits: p000123.
    void put_id(std::uint64_t n) {
        put('p');
        put_number(n, 6);
    }
    void put_number(std::uint64_t n, int min_digits = 1) {
        char digits[24];
        int len = 0;
        do {
            digits[len++] = static_cast<char>('0' + n % 10);
            n /= 10;
        } while (n != 0);
        while (len < min_digits)
            digits[len++] = '0';
        while (len > 0)
            put(digits[--len]);
    }
    void put_json_string(std::string_view s) {
        put('"');
        // Names seldom need escaping: copy them whole.
        if (std::none_of(s.begin(), s.end(), [](char c) {
                return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
            })) {
            put(s);
            put('"');
            return;
        }
        for (char c : s) {
            if (c == '"' || c == '\\') {
                put('\\');
                put(c);
            } else if (static_cast<unsigned char>(c) < 0x20) {
                static constexpr char kHex[] = "0123456789abcdef";
                put("\\u00");
                put(kHex[(c >> 4) & 0xf]);
                put(kHex[c & 0xf]);
            } else {
                put(c);
            }
        }
        put('"');
    }
    // RFC 4180: quoted only when it holds a comma, a quote or a line break.
    void put_csv_field(std::string_view s) {
        if (s.find_first_of(",\"\r\n") == std::string_view::npos) return put(s);
        put('"');
        for (char c : s) {
            if (c == '"') put('"');
            put(c);
        }
        put('"');
    }
    // Cuts the current record short, to between 1 and its length - 1 bytes: broken JSON.
    void truncate(Random& random) {
        const std::size_t length = used_ - record_start_;
        if (length < 2) return;
        used_ = record_start_ + 1 + random.below(static_cast<std::uint32_t>(length - 1));
    }
    void flush() {
        if (used_ == 0) return;
        if (std::fwrite(buffer_.data(), 1, used_, stdout) != used_) {
            std::fprintf(stderr, "make_lists: write error: %s\n", std::strerror(errno));
            std::exit(1);
        }
        used_ = 0;
    }

  private:
    std::vector<char> buffer_;
    std::size_t used_ = 0;
    std::size_t record_start_ = 0;
};

// {"id":"p000123","agents":["Zoloft","tramadol 50 mg"]}
void write_jsonl(Generator& g, Output& out, std::uint64_t n) {
    const int damage = g.damage();
    const auto names = g.next_list();
    out.begin_record();
    out.put("{\"id\":\"");
    out.put_id(n);
    out.put("\",\"agents\":");
    if (damage == 2) {
        // Wrong type: a bare string, or a number among the names.
        if (g.random().below(2) == 0) {
            out.put_json_string(names[0]);
        } else {
            out.put("[");
            out.put_json_string(names[0]);
            out.put(",");
            out.put_number(g.random().below(1000));
            out.put("]");
        }
    } else if (damage == 3) {
        out.put("[]");
    } else {
        out.put('[');
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (i > 0) out.put(',');
            out.put_json_string(names[i]);
        }
        out.put(']');
    }
    out.put('}');
    if (damage == 1) out.truncate(g.random());
    out.put('\n');
}

// patient_id,drug: one row per agent, a patient's rows adjacent.
void write_csv(Generator& g, Output& out, std::uint64_t n) {
    const int damage = g.damage();
    const auto names = g.next_list();
    out.begin_record();
    if (damage == 1) {  // no id
        out.put(',');
        out.put_csv_field(names[0]);
        out.put('\n');
    } else if (damage == 2) {  // too few fields
        out.put_id(n);
        out.put('\n');
    } else if (damage == 3) {  // an empty name: an empty list
        out.put_id(n);
        out.put(",\n");
    } else {
        for (const std::string& name : names) {
            out.put_id(n);
            out.put(',');
            out.put_csv_field(name);
            out.put('\n');
        }
    }
}

// FHIR R4 bulk export (NDJSON) of MedicationStatement resources, one per line, a patient's
// resources adjacent.
void write_fhir(Generator& g, Output& out, std::uint64_t n) {
    const int damage = g.damage();
    const auto names = g.next_list();
    for (std::size_t i = 0; i < names.size(); ++i) {
        const Entry& agent = g.agent_of(i);
        const bool damaged = damage != 0 && i + 1 == names.size();
        out.begin_record();
        out.put("{\"resourceType\":\"MedicationStatement\",\"id\":\"");
        out.put_id(n);
        out.put('-');
        out.put_number(i + 1);
        const std::uint32_t status = g.random().below(100);
        out.put(status < 88   ? "\",\"status\":\"active\""
                : status < 95 ? "\",\"status\":\"completed\""
                              : "\",\"status\":\"stopped\"");
        out.put(",\"subject\":{\"reference\":\"Patient/");
        out.put_id(n);
        out.put("\"},\"medicationCodeableConcept\":");
        if (damaged && damage == 2) {  // wrong type
            out.put_json_string(names[i]);
        } else if (damaged && damage == 3) {  // nothing to read
            out.put("{\"coding\":[]}");
        } else {
            out.put('{');
            if (!agent.rxnorm.empty()) {
                out.put(
                    "\"coding\":[{\"system\":\"http://www.nlm.nih.gov/research/umls/rxnorm\","
                    "\"code\":");
                out.put_json_string(agent.rxnorm);
                out.put(",\"display\":");
                out.put_json_string(agent.name);
                out.put("}],");
            }
            out.put("\"text\":");
            out.put_json_string(names[i]);
            out.put('}');
        }
        out.put('}');
        if (damaged && damage == 1) out.truncate(g.random());
        out.put('\n');
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Writes seeded synthetic batch input for `combocheck batch` to standard output",
                 "make_lists"};
    std::string format = "jsonl";
    std::uint64_t lists = 1000;
    std::uint64_t seed = 1;
    double error_rate = 0.001;
    double misspell_rate = 0.02;
    app.add_option("--format", format, "jsonl, csv (patient_id,drug), fhir (MedicationStatement)")
        ->check(CLI::IsMember({"jsonl", "csv", "fhir"}));
    app.add_option("--lists", lists, "Number of lists (patients)")->required();
    app.add_option("--seed", seed, "Seed; the same seed gives the same bytes")->required();
    app.add_option("--error-rate", error_rate, "Share of malformed lists (default 0.001)")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--misspell-rate", misspell_rate, "Share of misspelt names (default 0.02)")
        ->check(CLI::Range(0.0, 1.0));
    CLI11_PARSE(app, argc, argv);

    const KnowledgeBase kb = load_embedded_knowledge();
    Generator generator(kb, seed, error_rate, misspell_rate);
    Output out;
    if (format == "csv") out.put("patient_id,drug\n");
    const auto write = format == "jsonl" ? write_jsonl : format == "csv" ? write_csv : write_fhir;
    for (std::uint64_t n = 1; n <= lists; ++n)
        write(generator, out, n);
    out.flush();
    return std::fflush(stdout) == 0 ? 0 : 1;
}
