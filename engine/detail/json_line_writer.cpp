// The lines of `batch --format jsonl` (full and brief records), assembled by hand: they are
// written once per list of a batch, where RapidJSON's Writer costs more than the check. The
// members and their order are those of the check report (json_writer.cpp), which tests hold
// them to (tests/engine/json_line_test.cpp).
#include <span>
#include <string>
#include <vector>

#include "../report.hpp"
#include "finding_json.hpp"
#include "json_raw.hpp"

namespace combocheck {

using namespace detail;

namespace {

// A resolved name's object in "agents": input and id, and for a full line how it matched.
void put_agent_entry(RawWriter& w, const KnowledgeBase& kb, const Resolution& r, bool brief) {
    w.put("{\"input\":");
    w.string(r.input);
    w.put(",\"id\":");
    w.put(QuotedIds::of(kb).agent(*r.agent));
    if (!brief) {
        const Agent& a = kb.agent(*r.agent);
        w.put(",\"name\":");
        w.string(a.name);
        w.put(",\"kind\":\"");
        w.put(to_string(a.kind));
        w.put("\",\"matched\":");
        w.string(r.matched);
        w.put(",\"matched_as\":\"");
        w.put(to_string(r.matched_kind));
        w.put('"');
        if (!r.detail.empty()) {
            w.put(",\"detail\":");
            w.string(r.detail);
        }
    }
    w.put('}');
}

// An unresolved name's object in "unresolved", brief or full.
void put_unresolved_entry(RawWriter& w, const Resolution& r) {
    w.put("{\"input\":");
    w.string(r.input);
    w.put(",\"suggestions\":[");
    for (std::size_t i = 0; i < r.suggestions.size(); ++i) {
        if (i > 0) w.put(',');
        w.string(r.suggestions[i]);
    }
    w.put(']');
    if (!r.hint.empty()) {
        w.put(",\"hint\":");
        w.string(r.hint);
    }
    w.put('}');
}

// How every line begins: its id, then the "agents" and "unresolved" arrays, from the entries made
// beforehand when there are any, else made here.
void put_id_and_names(RawWriter& w, const KnowledgeBase& kb, std::string_view id,
                      ResolvedNames names, NameEntries entries, bool brief) {
    w.put("{\"id\":");
    w.string(id);
    w.put(',');
    const bool made = !entries.empty();
    for (const bool resolved : {true, false}) {
        w.put(resolved ? "\"agents\":[" : ",\"unresolved\":[");
        bool first = true;
        for (std::size_t k = 0; k < names.size(); ++k) {
            const Resolution& r = *names[k];
            if (r.agent.has_value() != resolved) continue;
            if (!first) w.put(',');
            first = false;
            if (made) {
                w.put(entries[k]);
            } else if (resolved) {
                put_agent_entry(w, kb, r, brief);
            } else {
                put_unresolved_entry(w, r);
            }
        }
        w.put(']');
    }
}

}  // namespace

void append_name_entry(std::string& out, const KnowledgeBase& kb, const Resolution& name,
                       bool brief) {
    RawWriter w(out, 256);
    if (name.agent) {
        put_agent_entry(w, kb, name, brief);
    } else {
        put_unresolved_entry(w, name);
    }
    w.done();
}

// Assembled by hand rather than with RapidJSON's Writer: most of each finding comes pre-made
// from the per-thread caches (finding_json.cpp), and this runs once per list of a batch. The
// members and their order are those of report_members().
void append_json_line(std::string& out, const KnowledgeBase& kb, std::string_view id,
                      ResolvedNames names, const CheckResult& result, NameEntries entries) {
    const QuotedIds& ids = QuotedIds::of(kb);
    RawWriter w(out, kRoomStep);
    put_id_and_names(w, kb, id, names, entries, /*brief=*/false);
    w.put(",\"findings\":[");
    bool first = true;
    for (const Finding& f : result.findings) {
        if (!first) w.put(',');
        first = false;
        put_full_finding(w, kb, f);
    }
    w.put("],\"exposure\":[");
    first = true;
    for (const ExposureChange& e : result.exposure) {
        w.put(first ? "{\"agent\":" : ",{\"agent\":");
        first = false;
        w.put(ids.agent(e.agent));
        w.put(",\"scale\":");
        put_double(w, e.scale);
        w.put('}');
    }
    w.put("],\"max_severity\":");
    w.put(ids.severity(result.max_severity));
    w.put(',');
    static const std::string disclaimer = [] {
        std::string text;
        append_member(text, "disclaimer", kDisclaimer);
        return text;
    }();
    w.put(disclaimer);
    w.put("}\n");
    w.done();
}

// The members of a brief record, in this order (docs/json-output.md): the ids a program joins
// on, nothing that needs the rule texts.
void append_brief_json_line(std::string& out, const KnowledgeBase& kb, std::string_view id,
                            ResolvedNames names, const CheckResult& result, NameEntries entries) {
    const QuotedIds& ids = QuotedIds::of(kb);
    RawWriter w(out, kRoomStep);
    put_id_and_names(w, kb, id, names, entries, /*brief=*/true);
    w.put(",\"findings\":[");
    bool first = true;
    for (const Finding& f : result.findings) {
        if (!first) w.put(',');
        first = false;
        w.put(ids.finding_head(f.rule, f.severity));
        put_finding_agents(w, ids, f);
        w.put('}');
    }
    w.put("],\"max_severity\":");
    w.put(ids.severity(result.max_severity));
    w.put("}\n");
    w.done();
}

// The pointers a writer reads, for callers that hold the resolutions themselves.
namespace {
std::span<const Resolution* const> pointers_to(const CheckReport& report) {
    thread_local std::vector<const Resolution*> names;
    names.clear();
    for (const Resolution& r : report.resolutions)
        names.push_back(&r);
    return names;
}
}  // namespace

void append_json_line(std::string& out, const KnowledgeBase& kb, std::string_view id,
                      const CheckReport& report) {
    append_json_line(out, kb, id, pointers_to(report), report.result);
}

void append_brief_json_line(std::string& out, const KnowledgeBase& kb, std::string_view id,
                            const CheckReport& report) {
    append_brief_json_line(out, kb, id, pointers_to(report), report.result);
}

void append_brief_json_error_line(std::string& out, std::string_view id, std::string_view file,
                                  std::size_t line, std::string_view error) {
    out += '{';
    append_member(out, "id", id);
    out += ',';
    append_member(out, "file", file);
    out += ",\"line\":";
    out += std::to_string(line);
    out += ',';
    append_member(out, "error", error);
    out += "}\n";
}

}  // namespace combocheck
