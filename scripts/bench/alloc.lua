-- alloc.lua -- Lua 5.4 twin of alloc.toy.
local function main()
    local n = 1000000
    local total = 0
    local keep = {}
    local kept = 0
    for j = 0, 3 * n - 1 do
        local i = j % n
        local t = {i, i + 1, i + 2}
        total = total + t[2] + #t
        if i % 100 == 0 then
            keep[#keep + 1] = t
            if #keep >= 50 then
                kept = kept + keep[50][3]
                keep = {}
            end
        end
    end
    print(string.format("%d %d %d", total, kept, #keep))
end

main()
