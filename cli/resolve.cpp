// `combocheck resolve NAME...`: what each name maps to and why, without checking anything.
#include <iostream>

#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/prettywriter.h>

#include "options.hpp"

namespace combocheck::cli {

void register_resolve(CLI::App& app, Session& session) {
    auto names = std::make_shared<std::vector<std::string>>();
    auto format = std::make_shared<std::string>("text");
    CLI::App* command = app.add_subcommand(
        "resolve", "Show what each name maps to and why (- reads names from stdin)");
    command->add_option("names", *names, "Names, brands, abbreviations or codes; - for stdin")
        ->required();
    command->add_option("-f,--format", *format, "Output format: text, json")
        ->check(CLI::IsMember({"text", "json"}));
    command->callback([names, format, &session] {
        const std::vector<std::string> inputs = read_names(*names);
        if (inputs.empty()) {
            std::cerr << "combocheck resolve: no names given\n";
            throw Exit{kExitUsage};
        }
        const KnowledgeBase& kb = session.knowledge();
        std::vector<Resolution> resolutions;
        for (const std::string& input : inputs) {
            resolutions.push_back(session.resolver().resolve(input));
        }
        if (*format == "json") {
            rapidjson::OStreamWrapper stream(std::cout);
            rapidjson::PrettyWriter<rapidjson::OStreamWrapper> w(stream);
            w.SetIndent(' ', 2);
            w.StartArray();
            for (const Resolution& r : resolutions) {
                w.StartObject();
                w.Key("input");
                w.String(r.input.c_str());
                if (r.agent) {
                    const Agent& a = kb.agent(*r.agent);
                    w.Key("id");
                    w.String(a.id.c_str());
                    w.Key("name");
                    w.String(a.name.c_str());
                    w.Key("kind");
                    w.String(std::string(to_string(a.kind)).c_str());
                    w.Key("matched");
                    w.String(r.matched.c_str());
                    w.Key("matched_as");
                    w.String(std::string(to_string(r.matched_kind)).c_str());
                    if (!r.detail.empty()) {
                        w.Key("detail");
                        w.String(r.detail.c_str());
                    }
                } else {
                    w.Key("suggestions");
                    w.StartArray();
                    for (const std::string& s : r.suggestions)
                        w.String(s.c_str());
                    w.EndArray();
                    if (!r.hint.empty()) {
                        w.Key("hint");
                        w.String(r.hint.c_str());
                    }
                }
                w.EndObject();
            }
            w.EndArray();
            std::cout << "\n";
        } else {
            for (const Resolution& r : resolutions) {
                std::cout << r.input << "\n";
                if (r.agent) {
                    const Agent& a = kb.agent(*r.agent);
                    std::cout << "  -> " << a.name << " (" << to_string(a.kind) << ", id " << a.id
                              << ")\n     matched the " << to_string(r.matched_kind) << " '"
                              << r.matched << "'\n";
                    if (!r.detail.empty()) {
                        std::cout << "     kept as dose/form text: '" << r.detail << "'\n";
                    }
                } else {
                    std::cout << "  -> not recognised";
                    for (std::size_t i = 0; i < r.suggestions.size(); ++i) {
                        std::cout << (i ? ", " : "; did you mean ") << r.suggestions[i];
                    }
                    std::cout << (r.suggestions.empty() ? "" : "?") << "\n";
                    if (!r.hint.empty()) std::cout << "     " << r.hint << "\n";
                }
            }
        }
        for (const Resolution& r : resolutions) {
            if (!r.agent) throw Exit{kExitUsage};
        }
    });
}

}  // namespace combocheck::cli
