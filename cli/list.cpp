// `combocheck list agents|classes|systems|rules|risks|sources`, filtered, as text or JSON.
#include <iostream>

#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/prettywriter.h>

#include "explain.hpp"
#include "options.hpp"

namespace combocheck::cli {

namespace {

struct ListOptions {
    std::string what;
    std::string kind;
    std::string system;
    std::string format = "text";
};

// One listed entry: its id and display columns; JSON gets the same fields.
struct Row {
    std::vector<std::pair<std::string, std::string>> fields;  // first is "id"
};

std::vector<Row> rows_for(const KnowledgeBase& kb, const ListOptions& o,
                          std::optional<SystemId> system) {
    std::vector<Row> rows;
    const auto acts_on = [&](AgentId a) {
        if (!system) return true;
        for (const AgentEffect& e : kb.effects_of(a)) {
            if (e.effect->system == *system) return true;
        }
        return false;
    };
    if (o.what == "agents") {
        for (std::uint32_t i = 0; i < kb.agents().size(); ++i) {
            const Agent& a = kb.agents()[i];
            if (!o.kind.empty() && to_string(a.kind) != o.kind) continue;
            if (!acts_on(AgentId{i})) continue;
            std::string classes;
            for (const ClassId c : a.classes)
                classes += (classes.empty() ? "" : ",") + kb.klass(c).id;
            rows.push_back({{{"id", a.id},
                             {"name", a.name},
                             {"kind", std::string(to_string(a.kind))},
                             {"classes", classes}}});
        }
    } else if (o.what == "classes") {
        for (std::uint32_t i = 0; i < kb.classes().size(); ++i) {
            const Class& c = kb.classes()[i];
            rows.push_back({{{"id", c.id},
                             {"name", c.name},
                             {"members", std::to_string(kb.members_of(ClassId{i}).size())}}});
        }
    } else if (o.what == "systems") {
        for (const System& s : kb.systems()) {
            if (!o.kind.empty() && to_string(s.kind) != o.kind) continue;
            rows.push_back(
                {{{"id", s.id}, {"name", s.name}, {"kind", std::string(to_string(s.kind))}}});
        }
    } else if (o.what == "rules") {
        for (const Rule& r : kb.rules()) {
            if (!o.kind.empty() && to_string(r.kind) != o.kind) continue;
            if (system && !rule_reads_system(kb, r, *system)) continue;
            rows.push_back({{{"id", r.id},
                             {"kind", std::string(to_string(r.kind))},
                             {"risk", kb.risk(r.risk).id},
                             {"title", r.title}}});
        }
    } else if (o.what == "risks") {
        for (const Risk& r : kb.risks())
            rows.push_back({{{"id", r.id}, {"name", r.name}}});
    } else if (o.what == "sources") {
        for (const Source& s : kb.sources()) {
            if (!o.kind.empty() && to_string(s.kind) != o.kind) continue;
            rows.push_back({{{"id", s.id},
                             {"kind", std::string(to_string(s.kind))},
                             {"year", std::to_string(s.year)},
                             {"title", s.title},
                             {"publisher", s.publisher},
                             {"url", s.url}}});
        }
    }
    return rows;
}

// Aligned columns; only the first four fields (the rest, like a source's URL, are for JSON and
// Markdown), the last one unpadded.
void print_text(const std::vector<Row>& rows) {
    if (rows.empty()) return;
    const std::size_t columns = std::min<std::size_t>(rows.front().fields.size(), 4);
    std::vector<std::size_t> width(columns, 0);
    for (const Row& r : rows) {
        for (std::size_t i = 0; i + 1 < columns; ++i) {
            width[i] = std::max(width[i], r.fields[i].second.size());
        }
    }
    for (const Row& r : rows) {
        std::string line;
        for (std::size_t i = 0; i < columns; ++i) {
            std::string cell = r.fields[i].second;
            if (i + 1 < columns) cell.resize(width[i] + 2, ' ');
            line += cell;
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        std::cout << line << "\n";
    }
}

// A Markdown table; '|' in cells is escaped, ids are code, URLs are links.
void print_markdown(const std::vector<Row>& rows) {
    if (rows.empty()) return;
    const auto cell = [](const std::string& key, const std::string& value) {
        std::string out;
        for (const char c : value) {
            if (c == '|') out += '\\';
            out += c;
        }
        if (key == "url") return out.empty() ? out : "<" + out + ">";
        return key == "id" ? "`" + out + "`" : out;
    };
    std::string header = "|", rule = "|";
    for (const auto& [key, value] : rows.front().fields) {
        header += " " + key + " |";
        rule += "---|";
    }
    std::cout << header << "\n" << rule << "\n";
    for (const Row& r : rows) {
        std::cout << "|";
        for (const auto& [key, value] : r.fields)
            std::cout << " " << cell(key, value) << " |";
        std::cout << "\n";
    }
}

void print_json(const std::vector<Row>& rows) {
    rapidjson::OStreamWrapper stream(std::cout);
    rapidjson::PrettyWriter<rapidjson::OStreamWrapper> w(stream);
    w.SetIndent(' ', 2);
    w.StartArray();
    for (const Row& r : rows) {
        w.StartObject();
        for (const auto& [key, value] : r.fields) {
            w.Key(key.c_str());
            if (key == "members" || key == "year") {
                w.Int(std::stoi(value));
            } else if (key == "classes") {
                w.StartArray();
                for (std::size_t at = 0; at < value.size();) {
                    const std::size_t comma = std::min(value.find(',', at), value.size());
                    w.String(value.substr(at, comma - at).c_str());
                    at = comma + 1;
                }
                w.EndArray();
            } else {
                w.String(value.c_str());
            }
        }
        w.EndObject();
    }
    w.EndArray();

    std::cout << "\n";
}

}  // namespace

void register_list(CLI::App& app, Session& session) {
    auto o = std::make_shared<ListOptions>();
    CLI::App* command =
        app.add_subcommand("list", "List agents, classes, systems, rules, risks or sources");
    command->add_option("what", o->what, "agents, classes, systems, rules, risks or sources")
        ->required()
        ->check(CLI::IsMember({"agents", "classes", "systems", "rules", "risks", "sources"}));
    command->add_option("--kind", o->kind,
                        "Only this kind (agents: drug, supplement, food, recreational; systems: "
                        "transmitter, enzyme, transporter, physiological; rules: burden, "
                        "pharmacokinetic, combination, opposition, duplication)");
    command->add_option("--system", o->system,
                        "Agents that act on this system, or rules that read it (id or name)");
    command->add_option("-f,--format", o->format, "Output format: text, json, markdown")
        ->check(CLI::IsMember({"text", "json", "markdown"}));
    command->callback([o, &session] {
        const KnowledgeBase& kb = session.knowledge();
        std::optional<SystemId> system;
        if (!o->system.empty()) {
            const auto subject = find_subject(kb, session.resolver(), o->system);
            if (!subject || subject->kind != Subject::Kind::system) {
                std::cerr << "combocheck list: '" << o->system
                          << "' is not a system (combocheck list systems shows them)\n";
                throw Exit{kExitUsage};
            }
            system = SystemId{subject->index};
            if (o->what != "agents" && o->what != "rules") {
                std::cerr << "combocheck list: --system applies to agents and rules only\n";
                throw Exit{kExitUsage};
            }
        }
        const auto rows = rows_for(kb, *o, system);
        if (o->format == "json") {
            print_json(rows);
        } else if (o->format == "markdown") {
            print_markdown(rows);
        } else {
            print_text(rows);
        }
    });
}

}  // namespace combocheck::cli
