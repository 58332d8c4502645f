-- list.lua -- Lua 5.4 twin of list.toy (tables are 1-based).
local function main()
    local n = 1000000
    local total = 0
    for p = 0, 2 do
        local xs = {}
        for i = 0, n - 1 do
            xs[#xs + 1] = i * (p + 1) + 1
        end
        local s = 0
        local i = 0
        local m = #xs
        while i < m do
            s = s + xs[i + 1]
            i = i + 1
        end
        total = total + s + #xs
    end
    print(total)
end

main()
