-- dict.lua -- Lua 5.4 twin of dict.toy.
local function main()
    local n = 200000
    local d = {}
    for i = 0, n - 1 do
        d["k" .. tostring(i)] = i
    end
    local s = 0
    for p = 0, 4 do
        for i = 0, n - 1 do
            s = s + d["k" .. i]
        end
    end
    for i = 0, n - 1, 3 do
        d["k" .. tostring(i)] = nil
    end
    local hits = 0
    for i = 0, n - 1 do
        if d["k" .. tostring(i)] ~= nil then
            hits = hits + 1
        end
    end
    local len = 0
    for _ in pairs(d) do
        len = len + 1
    end
    print(string.format("%d %d %d", s, len, hits))
end

main()
