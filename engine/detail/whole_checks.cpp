// Checks over the whole knowledge base: class cycles, ambiguous names and codes, unused entries.
#include <algorithm>
#include <functional>
#include <unordered_map>

#include "entry_reader.hpp"

namespace combocheck::detail {

void EntryReader::check_whole(const KnowledgeData& data) {
    const auto& class_entries = index_.entries[kClasses];

    // Class cycles: depth-first search, colouring classes on the current path.
    enum class Mark : std::uint8_t { unseen, on_path, done };
    std::vector<Mark> marks(data.classes.size(), Mark::unseen);
    std::vector<std::uint32_t> path;
    std::function<void(std::uint32_t)> visit = [&](std::uint32_t c) {
        marks[c] = Mark::on_path;
        path.push_back(c);
        for (const ClassId parent : data.classes[c].parents) {
            const std::uint32_t p = index_of(parent);
            if (marks[p] == Mark::on_path) {
                std::string cycle;
                const auto start = std::find(path.begin(), path.end(), p);
                for (auto it = start; it != path.end(); ++it)
                    cycle += data.classes[*it].id + " -> ";
                cycle += data.classes[p].id;
                const Entry& e = class_entries[c];
                sink_.error(*e.file, e.node->offset, "class cycle: " + cycle);
            } else if (marks[p] == Mark::unseen) {
                visit(p);
            }
        }
        path.pop_back();
        marks[c] = Mark::done;
    };
    for (std::uint32_t c = 0; c < data.classes.size(); ++c) {
        if (marks[c] == Mark::unseen) visit(c);
    }

    // A name (or code) that two agents answer to would make the resolver guess.
    std::unordered_map<std::string, const NameRecord*> owner;
    for (const NameRecord& n : names_) {
        if (n.normalized.empty()) {
            sink_.error(*n.file, n.offset,
                        "name '" + n.written + "' has no letters or digits, so it cannot be typed");
            continue;
        }
        const auto [it, inserted] = owner.emplace(n.normalized, &n);
        if (!inserted && it->second->agent != n.agent) {
            sink_.error(*n.file, n.offset,
                        "name '" + n.written + "' of agent '" + data.agents[n.agent].id +
                            "' is ambiguous: agent '" + data.agents[it->second->agent].id +
                            "' answers to '" + it->second->written + "' (" +
                            location(*it->second->file, it->second->offset) + ")");
        }
    }

    // Entries nothing uses are probably mistakes: warnings (the loader makes them errors
    // under --strict).
    const auto flag = [&](const Entry& e, std::string message) {
        sink_.warning(*e.file, e.node->offset, std::move(message));
    };
    for (std::size_t i = 0; i < source_cited_.size(); ++i) {
        if (!source_cited_[i]) {
            flag(index_.entries[kSources][i],
                 "source '" + index_.entries[kSources][i].id + "' is not cited");
        }
    }
    for (std::size_t i = 0; i < system_used_.size(); ++i) {
        if (!system_used_[i]) {
            flag(index_.entries[kSystems][i], "system '" + index_.entries[kSystems][i].id +
                                                  "' is not used by any effect or rule");
        }
    }
    std::vector<bool> has_members(data.classes.size(), false);
    std::vector<std::uint32_t> work;
    for (const Agent& a : data.agents) {
        for (const ClassId c : a.classes)
            work.push_back(index_of(c));
    }
    while (!work.empty()) {
        const std::uint32_t c = work.back();
        work.pop_back();
        if (has_members[c]) continue;
        has_members[c] = true;
        for (const ClassId p : data.classes[c].parents)
            work.push_back(index_of(p));
    }
    for (std::size_t i = 0; i < has_members.size(); ++i) {
        if (!has_members[i]) {
            flag(class_entries[i], "class '" + class_entries[i].id + "' has no members");
        }
    }
}

}  // namespace combocheck::detail
