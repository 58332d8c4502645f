-- loop.lua -- Lua 5.4 twin of loop.toy.
local function main()
    local n = 10000000
    local i = 0
    local total = 0
    while i < n do
        total = total + i + i % 7
        i = i + 1
    end
    print(total)
end

main()
