-- strings.lua -- Lua 5.4 twin of strings.toy.

-- Python-style str.split(sep): keeps empty pieces, sep is a plain string.
local function split(s, sep)
    local out, start = {}, 1
    while true do
        local a, b = string.find(s, sep, start, true)
        if not a then
            out[#out + 1] = string.sub(s, start)
            return out
        end
        out[#out + 1] = string.sub(s, start, a - 1)
        start = b + 1
    end
end

local function main()
    local total = 0
    for r = 0, 69 do
        local parts = {}
        for i = 0, 19999 do
            parts[#parts + 1] = "w" .. tostring((i + r) % 97)
        end
        local s = table.concat(parts, " ")
        local words = split(s, " ")
        total = total + #s + #words
        for _, w in ipairs(words) do
            if w == "w7" then
                total = total + 1
            end
        end
        local acc = ""
        for i = 0, 3999 do
            acc = acc .. tostring(i * r) .. ","
        end
        local pieces = split(acc, ",")
        total = total + #acc + #pieces
        for _, p in ipairs(pieces) do
            if p ~= "" then
                total = total + math.tointeger(tonumber(p)) % 13
            end
        end
    end
    print(total)
end

main()
