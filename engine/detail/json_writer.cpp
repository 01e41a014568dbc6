// The JSON report of a check (schema combocheck.check/1, docs/json-output.md).
#include <ostream>
#include <string>

#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/writer.h>

#include "../report.hpp"
#include "json_fragments.hpp"
#include "text_format.hpp"

namespace combocheck {

namespace {

template <typename Writer>
void string(Writer& w, std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

template <typename Writer>
void key_string(Writer& w, std::string_view key, std::string_view value) {
    string(w, key);
    string(w, value);
}

template <typename Writer>
void effect(Writer& w, const KnowledgeBase& kb, const Effect& e) {
    w.StartObject();
    key_string(w, "system", kb.system(e.system).id);
    key_string(w, "action", to_string(e.action));
    switch (e.action) {
        case Action::increases:
        case Action::decreases:
            string(w, "weight");
            w.Double(e.weight);
            break;
        case Action::inhibits:
        case Action::induces:
            key_string(w, "strength", to_string(e.strength));
            break;
        case Action::substrate:
            key_string(w, "sensitivity", to_string(e.sensitivity));
            string(w, "prodrug");
            w.Bool(e.prodrug);
            break;
    }
    key_string(w, "mechanism", e.mechanism);
    key_string(w, "evidence", to_string(e.evidence));
    string(w, "sources");
    w.StartArray();
    for (const SourceId s : e.sources)
        string(w, kb.source(s).id);
    w.EndArray();
    w.EndObject();
}

template <typename Writer>
void reference(Writer& w, const Source& s) {
    w.StartObject();
    key_string(w, "id", s.id);
    key_string(w, "kind", to_string(s.kind));
    key_string(w, "title", s.title);
    key_string(w, "publisher", s.publisher);
    string(w, "year");
    w.Int(s.year);
    if (!s.url.empty()) key_string(w, "url", s.url);
    w.EndObject();
}

template <typename Writer>
void finding(Writer& w, const KnowledgeBase& kb, const Finding& f) {
    const Rule& rule = kb.rule(f.rule);
    const FindingText text = describe(kb, f);
    w.StartObject();
    key_string(w, "rule", rule.id);
    key_string(w, "kind", to_string(rule.kind));
    key_string(w, "severity", to_string(f.severity));
    key_string(w, "risk", kb.risk(rule.risk).id);
    key_string(w, "title", text.title);
    string(w, "agents");
    w.StartArray();
    for (const AgentId a : f.agents)
        string(w, kb.agent(a).id);
    w.EndArray();
    if (f.system) key_string(w, "system", kb.system(*f.system).id);
    if (f.klass) key_string(w, "class", kb.klass(*f.klass).id);
    if (rule.kind == RuleKind::burden) {
        string(w, "total_weight");
        w.Double(f.total_weight);
    }
    string(w, "contributions");
    w.StartArray();
    for (const Contribution& c : f.contributions) {
        w.StartObject();
        key_string(w, "agent", kb.agent(c.agent).id);
        key_string(w, "role", to_string(c.role));
        string(w, "via");
        w.StartArray();
        for (const ClassId k : c.via)
            string(w, kb.klass(k).id);
        w.EndArray();
        if (c.effect != nullptr) {
            string(w, "effect");
            effect(w, kb, *c.effect);
        }
        if (rule.kind == RuleKind::burden || rule.kind == RuleKind::opposition) {
            string(w, "weight");
            w.Double(c.weight);
            string(w, "exposure_scale");
            w.Double(c.exposure_scale);
        }
        key_string(w, "path", path_text(kb, c) + " -> " + rule.id);
        w.EndObject();
    }
    w.EndArray();
    key_string(w, "mechanism", text.mechanism);
    key_string(w, "explanation", text.explanation);
    key_string(w, "advice", text.advice);
    key_string(w, "evidence", to_string(rule.evidence));
    string(w, "references");
    w.StartArray();
    for (const SourceId id : detail::finding_sources(kb, f)) {
        reference(w, kb.source(id));
    }
    w.EndArray();
    w.EndObject();
}

// The members of a check report, shared by `check --format json` and batch records.
template <typename Writer>
void report_members(Writer& w, const KnowledgeBase& kb, const CheckReport& report) {
    string(w, "agents");
    w.StartArray();
    for (const Resolution& r : report.resolutions) {
        if (!r.agent) continue;
        const Agent& a = kb.agent(*r.agent);
        w.StartObject();
        key_string(w, "input", r.input);
        key_string(w, "id", a.id);
        key_string(w, "name", a.name);
        key_string(w, "kind", to_string(a.kind));
        key_string(w, "matched", r.matched);
        key_string(w, "matched_as", to_string(r.matched_kind));
        if (!r.detail.empty()) key_string(w, "detail", r.detail);
        w.EndObject();
    }
    w.EndArray();
    string(w, "unresolved");
    w.StartArray();
    for (const Resolution& r : report.resolutions) {
        if (r.agent) continue;
        w.StartObject();
        key_string(w, "input", r.input);
        string(w, "suggestions");
        w.StartArray();
        for (const std::string& s : r.suggestions)
            string(w, s);
        w.EndArray();
        if (!r.hint.empty()) key_string(w, "hint", r.hint);
        w.EndObject();
    }
    w.EndArray();
    string(w, "findings");
    w.StartArray();
    for (const Finding& f : report.result.findings)
        finding(w, kb, f);
    w.EndArray();
    string(w, "exposure");
    w.StartArray();
    for (const ExposureChange& e : report.result.exposure) {
        w.StartObject();
        key_string(w, "agent", kb.agent(e.agent).id);
        string(w, "scale");
        w.Double(e.scale);
        w.EndObject();
    }
    w.EndArray();
    key_string(w, "max_severity", to_string(report.result.max_severity));
    key_string(w, "disclaimer", kDisclaimer);
}

}  // namespace

void write_json(std::ostream& out, const KnowledgeBase& kb, const CheckReport& report) {
    rapidjson::OStreamWrapper stream(out);
    rapidjson::PrettyWriter<rapidjson::OStreamWrapper> w(stream);
    w.SetIndent(' ', 2);
    w.StartObject();
    key_string(w, "schema", kCheckSchema);
    report_members(w, kb, report);
    w.EndObject();

    out << "\n";
}

void write_json_line(std::ostream& out, const KnowledgeBase& kb, std::string_view id,
                     const CheckReport& report) {
    std::string text;
    append_json_line(text, kb, id, report);
    out << text;
}

namespace {

// A RapidJSON output stream that appends to a std::string.
class StringAppender {
  public:
    using Ch = char;
    explicit StringAppender(std::string& out) : out_(out) {}
    void Put(char c) { out_.push_back(c); }
    void Flush() {}

  private:
    std::string& out_;
};

template <typename Writer>
void error_members(Writer& w, std::string_view id, std::string_view file, std::size_t line,
                   std::string_view error) {
    w.StartObject();
    key_string(w, "id", id);
    key_string(w, "file", file);
    string(w, "line");
    w.Uint64(line);
    key_string(w, "error", error);
    key_string(w, "disclaimer", kDisclaimer);
    w.EndObject();
}

}  // namespace

void write_json_error_line(std::ostream& out, std::string_view id, std::string_view file,
                           std::size_t line, std::string_view error) {
    std::string text;
    append_json_error_line(text, id, file, line, error);
    out << text;
}

namespace detail {

std::string effect_json(const KnowledgeBase& kb, const Effect& e) {
    std::string json;
    StringAppender stream(json);
    rapidjson::Writer<StringAppender> w(stream);
    effect(w, kb, e);
    return json;
}

std::string reference_json(const Source& s) {
    std::string json;
    StringAppender stream(json);
    rapidjson::Writer<StringAppender> w(stream);
    reference(w, s);
    return json;
}

}  // namespace detail

void append_json_error_line(std::string& out, std::string_view id, std::string_view file,
                            std::size_t line, std::string_view error) {
    StringAppender stream(out);
    rapidjson::Writer<StringAppender> w(stream);
    error_members(w, id, file, line, error);
    out += '\n';
}

}  // namespace combocheck
